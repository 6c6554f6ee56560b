"""Lenient converters: the API's types are loose (see the API notes), the models' are not.

Each converter takes whatever the API sent and returns a typed value or a default;
none of them raises on odd input, because one odd field must not hide a whole server.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

_TRUE = {"1", "true", "yes", "on", "y", "t"}


def to_bool(value: object) -> bool:
    """'0'/'1', 0/1, true/false, 'true'/'false'; anything else is False."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return False


def to_decimal(value: object) -> Decimal | None:
    """'2', 64, 0.25, '199.00', '1 234,50' -> Decimal; 'REDACTED', '', None -> None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)  # avoid binary float noise: 0.25 stays 0.25
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def to_int(value: object) -> int | None:
    # The usual ids and counts first, without a Decimal: a listing has tens of thousands.
    if type(value) is int:  # not a bool
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    number = to_decimal(value)
    return int(number) if number is not None else None


def to_str(value: object) -> str:
    if value is None:
        return ""
    return str(value)


def to_datetime(value: object) -> datetime | None:
    """Unix seconds as number or string; 0, '0', '', 'REDACTED' and dates we cannot read -> None."""
    seconds = to_decimal(value)
    if seconds is None or seconds <= 0:
        return None
    try:
        return datetime.fromtimestamp(float(seconds), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def to_png(value: object) -> bytes:
    """Base64 PNG, with or without a 'data:image/png;base64,' prefix -> bytes (b'' if bad)."""
    if not isinstance(value, str) or not value:
        return b""
    if value.startswith("data:"):
        value = value.partition(",")[2]
    try:
        return base64.b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return b""


def to_dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def to_list(value: object) -> list:
    """A list of objects; the API sends null, {} or a lone object where it means 'none' or 'one'."""
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    if isinstance(value, dict) and value:
        return [value]
    return []
