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
