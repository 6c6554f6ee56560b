"""The provider's name and host names out of a text, for people who must not see them
(white label; who they are is branding.whitelabel's to say). Pure text: no app."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

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
