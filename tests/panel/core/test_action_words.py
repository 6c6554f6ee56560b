"""The words every action shows: whole sentences for translation, real plurals."""

from django.utils import translation

from panel.connections.errors import explain
from panel.core.outcomes import SUSPENDED_MESSAGE, Outcome, cooling_down, refused
from panel.core.templatetags.panel import server_type
from terrahost_client.errors import RateLimited


def _rate_limited(retry_after):
    error = RateLimited(429, "slow down")
    error.retry_after = retry_after
    return error


def test_a_wait_of_one_second_is_singular():
    assert explain(_rate_limited(0.4)).message.endswith("try again in 1 second.")
    assert explain(_rate_limited(7)).message.endswith("try again in 8 seconds.")
    assert explain(_rate_limited(None)).message.endswith("try again in a minute.")


def test_the_cooldown_counts_its_seconds():
    assert cooling_down("power", 1) == (
        "This server was given a power command moments ago. You can try again in 1 second."
    )
    assert cooling_down("power", 3).endswith("You can try again in 3 seconds.")


def test_an_outcome_holds_text_not_a_lazy_translation():
    outcome = refused(SUSPENDED_MESSAGE)
    assert type(outcome.message) is str
    assert Outcome.loads(outcome.stored()).message == outcome.message


def test_a_server_type_in_norwegian_keeps_its_technical_flavour():
    class Row:
        type, vps_type = "vps", "kvm"

    with translation.override("nb"):
        assert server_type(Row()).endswith(" (kvm)")
