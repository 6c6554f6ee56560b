import base64
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from terrahost_client._convert import to_bool, to_datetime, to_decimal, to_int, to_list, to_png


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("0", False),
        (1, True),
        (0, False),
        (True, True),
        (False, False),
        ("true", True),
        ("false", False),
        ("", False),
        (None, False),
        ("REDACTED", False),
    ],
)
def test_it_reads_every_boolean_form(value, expected):
    assert to_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2", Decimal("2")),
        (64, Decimal("64")),
        (0.25, Decimal("0.25")),
        ("199.00", Decimal("199.00")),
        ("0.5", Decimal("0.5")),
        ("1 234,50", Decimal("1234.50")),
        ("REDACTED", None),
        ("", None),
        (None, None),
        ("NaN", None),
        (True, None),
    ],
)
def test_it_reads_numbers_and_money_as_decimals(value, expected):
    assert to_decimal(value) == expected


def test_it_truncates_to_int_and_tolerates_junk():
    assert to_int("2") == 2
    assert to_int(2.9) == 2
    assert to_int("REDACTED") is None


@pytest.mark.parametrize("value", [1530609706, "1530609706", "1530609706.0"])
def test_it_reads_unix_timestamps(value):
    assert to_datetime(value) == datetime(2018, 7, 3, 9, 21, 46, tzinfo=UTC)


@pytest.mark.parametrize("value", [0, "0", "", None, "REDACTED", -5, "99999999999999999999"])
def test_it_treats_zero_and_junk_timestamps_as_none(value):
    assert to_datetime(value) is None


def test_it_decodes_base64_png_with_or_without_a_data_prefix():
    png = b"\x89PNG\r\n\x1a\nrest"
    encoded = base64.b64encode(png).decode()
    assert to_png(encoded) == png
    assert to_png("data:image/png;base64," + encoded) == png
    assert to_png(encoded.rstrip("=")) == png
    assert to_png("!!!not base64!!!") == b""
    assert to_png(None) == b""


def test_it_reads_lists_that_arrive_as_null_object_or_list():
    assert to_list(None) == []
    assert to_list({}) == []
    assert to_list({"a": 1}) == [{"a": 1}]
    assert to_list([{"a": 1}, "junk"]) == [{"a": 1}]
