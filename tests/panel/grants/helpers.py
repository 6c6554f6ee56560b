"""Reading pages as a person would: the visible text, without tags and attributes."""

from __future__ import annotations

import re
from html import unescape

from panel.grants.permissions import KEYS


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def raw_keys_in(html: str) -> set[str]:
    """Raw permission keys in the visible text ("reinstall" is also a plain word, so only
    the dotted keys can be told apart)."""
    text = visible_text(html)
    return {
        key
        for key in KEYS
        if "." in key and re.search(rf"(?<![\w.]){re.escape(key)}(?![\w.])", text)
    }
