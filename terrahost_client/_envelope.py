"""Reading the API's envelopes, which are not uniform (see the API notes)."""

from __future__ import annotations

from ._convert import to_int


def fields(body: dict) -> dict:
    """Fields the docs put in one place and the live API in another: data, then meta, then top.

    Handles `data` as an object or as a one-element array, `/my/account`'s top-level fields,
    and powerstate or reinstall values in `meta` or beside it.
    """
    merged = {key: value for key, value in body.items() if key not in ("meta", "data")}
    meta = body.get("meta")
    if isinstance(meta, dict):
        merged.update({key: value for key, value in meta.items() if value not in (None, "")})
    data = body.get("data")
    if isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict):
        data = data[0]
    if isinstance(data, dict):
        merged.update(data)
    return merged


def one(body: dict) -> dict:
    """The single record of a detail response (`data` as object or one-element array)."""
    data = body.get("data")
    if isinstance(data, list):
        data = data[0] if data else {}
    return data if isinstance(data, dict) else {}


def many(body: dict, key: str = "data") -> list[dict]:
    """The records of a list response; `key` names the list where it is not `data`."""
    items = body.get(key)
    data = body.get("data")
    if items is None and isinstance(data, dict):
        items = data.get(key)
    if items is None and isinstance(data, list):  # `invoices` inside the usual envelope
        items = data
    if isinstance(items, dict):  # a lone record where a list was expected
        items = [items]
    return [item for item in items or [] if isinstance(item, dict)]


def message(body: dict) -> str:
    """What a write said it did: meta.message, else a top-level message, else ''."""
    meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
    for source in (meta, body):
        if isinstance(source.get("message"), str):
            return source["message"]
    return ""


def page_meta(body: dict) -> dict:
    return body.get("meta") if isinstance(body.get("meta"), dict) else {}


def page_count(body: dict) -> int:
    return max(1, to_int(page_meta(body).get("total_pages")) or 1)
