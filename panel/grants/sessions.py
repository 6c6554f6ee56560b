"""Ending every session of a user ("log out everywhere").

Sessions live in the database (Django's default SESSION_ENGINE, which the panel keeps):
each one that belongs to the user is deleted through the engine's own store, so a cached
copy goes too. Access itself never waits for this: grants, memberships and the user's
active flag are read on every request (panel.grants.access).
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone


def end_all(user, *, keep: str | None = None) -> int:
    """Delete every unexpired session of `user` (but `keep`, a session key); how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):  # cache or signed-cookie sessions
        raise RuntimeError(f"Cannot list the sessions of {settings.SESSION_ENGINE}.")
    model = store.get_model_class()
    ended = 0
    live = model.objects.filter(expire_date__gt=timezone.now()).exclude(session_key=keep)
    for session_key, data in live.values_list("session_key", "session_data").iterator():
        if store().decode(data).get(SESSION_KEY) == str(user.pk):
            store(session_key).delete()
            ended += 1
    return ended
