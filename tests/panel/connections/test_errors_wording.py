"""What admins read when Terrahost's answers go wrong."""

from panel.connections.errors import describe
from terrahost_client.errors import IncompleteListing


def test_a_listing_that_does_not_add_up_says_nothing_was_removed():
    text = describe(IncompleteListing("page 2 repeated page 1"))
    assert "could not be read whole" in text
    assert "Nothing was removed." in text
