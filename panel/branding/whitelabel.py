"""White label: who must not see the provider, and the text guard that hides it.

A user is "white-labelled" unless the brand shows the provider (its switch), they are a
panel admin, or they hold `billing.view` on anything (they see the provider's invoices
anyway). For them the provider's name and its host names are replaced everywhere:
templates hide the server's label, and as a last guard the response middleware and the
e-mails pass their text through `panel.core.scrub.scrub()`.
"""

from __future__ import annotations

from django.db import DatabaseError

from panel.grants.access import holds_anywhere, is_panel_admin


def white_label_for(user, brand) -> bool:
    if brand.show_provider or is_panel_admin(user):
        return False
    try:
        return not holds_anywhere(user, "billing.view")
    except DatabaseError:
        return True


def white_label(request) -> bool:
    """Whether this request's user must not see the provider (remembered per request)."""
    from .services import brand_for

    value = getattr(request, "_panel_white_label", None)
    if value is None:
        value = white_label_for(getattr(request, "user", None), brand_for(request))
        request._panel_white_label = value
    return value
