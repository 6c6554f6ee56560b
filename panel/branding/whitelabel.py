"""White label: who must not see the provider, and the text guard that hides it.

A user is "white-labelled" unless the brand shows the provider (its switch), they are a
panel admin, or they hold `billing.view` on anything (they see the provider's invoices
anyway). For them the provider's name and its host names are replaced everywhere:
templates hide the server's label, and as a last guard the response middleware and the
e-mails pass their text through `scrub()`.
"""

from __future__ import annotations

import re

from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from panel.grants.access import is_panel_admin

PROVIDER = "Terrahost"
# srv1234.terrahost.no: the provider's label of server 1234.
_SERVER_LABEL = re.compile(r"\bsrv(\d+)\.terrahost\.[a-z]{2,}\b", re.I)
# Any other host name under the provider's domains (default PTRs and the like).
_HOST = re.compile(r"\b(?:[a-z0-9-]+\.)*terrahost\.[a-z]{2,}\b", re.I)
# "Terrahost AS" (the company) goes as a whole; "as" in a sentence stays.
_WORD = re.compile(r"(^|[.!?:>]\s*|\n\s*)?\bterrahost(?-i:\s+AS)?\b", re.I)
HIDDEN_HOST = gettext_noop("provider default")  # in English here; scrub() translates it


def is_provider_host(value: str) -> bool:
    return bool(_HOST.fullmatch((value or "").strip().rstrip(".")))


def scrub(text: str) -> str:
    """`text` without the provider's name or host names (the words put in their place are
    in the active language)."""
    if not text or "terrahost" not in text.lower():
        return text
    text = _SERVER_LABEL.sub(lambda m: _("Server %(number)s") % {"number": m.group(1)}, text)
    hidden_host = _(HIDDEN_HOST)
    text = _HOST.sub(lambda m: hidden_host, text)
    lower, capital_word = _("the provider"), _("The provider")

    def word(match):
        before = match.group(1)
        if before is None:
            return lower
        # At the start of a text, a sentence or an element: a capital letter.
        capital = before == "" or before.rstrip()[-1:] in ".!?>" or "\n" in before
        return before + (capital_word if capital else lower)

    return _WORD.sub(word, text)


def holds_billing_anywhere(user) -> bool:
    from panel.grants import access

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    # The one access path's grants (own and teams', not expired); keys are a JSON list,
    # looked at in Python as access.py does.
    grants = access.active_grants(user)
    return any("billing.view" in keys for keys in grants.values_list("keys", flat=True))


def white_label_for(user, brand) -> bool:
    if brand.show_provider or is_panel_admin(user):
        return False
    try:
        return not holds_billing_anywhere(user)
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
