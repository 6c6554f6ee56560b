"""Login throttling: a few failures per username and address, counted in the cache."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(username: str, address: str) -> str:
    digest = hashlib.sha256(f"{username.strip().lower()}|{address}".encode()).hexdigest()
    return f"login-failures:{digest}"


def is_blocked(username: str, address: str) -> bool:
    return (cache.get(_key(username, address)) or 0) >= settings.PANEL_LOGIN_MAX_FAILURES


def record_failure(username: str, address: str) -> None:
    key = _key(username, address)
    # add() starts the window; incr() never extends it.
    if not cache.add(key, 1, timeout=settings.PANEL_LOGIN_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=settings.PANEL_LOGIN_WINDOW)


def clear(username: str, address: str) -> None:
    cache.delete(_key(username, address))
