"""Amounts and dates in each language's one format (panel/formats/, the money filter)."""

from decimal import Decimal

from django.utils import translation

from panel.core.templatetags.panel import money


def test_an_amount_carries_its_currency_in_each_language():
    with translation.override("en"):
        assert money(Decimal("1490.5")) == "1,490.50\xa0NOK"
    with translation.override("nb"):
        assert money(Decimal("1490.5")) == "1\xa0490,50\xa0NOK"


def test_no_amount_is_a_dash():
    assert money(None) == "—"


def test_dates_in_norwegian_have_a_lowercase_month():
    from datetime import date

    from django.utils import formats

    with translation.override("nb"):
        assert formats.date_format(date(2026, 12, 2), "DATE_FORMAT") == "2. des 2026"
