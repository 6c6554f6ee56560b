"""The web's side of commands: who the person behind a request is, and the outcome as a
message on the next page. Views use these; nothing below the views sees a request."""

from __future__ import annotations

from django.contrib import messages

from panel.accounts.throttle import client_address
from panel.core.actors import Actor
from panel.core.outcomes import KEY_FIELD, Outcome
from panel.grants.access import is_panel_admin


def actor(request, user=None) -> Actor:
    """The logged-in person (or `user`, who is logging in by this request), with what the
    audit log keeps of their request."""
    return Actor.person(
        request.user if user is None else user,
        address=client_address(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )


def posted_key(request) -> str:
    """The idempotency key the form was rendered with."""
    return request.POST.get(KEY_FIELD, "")


def tell(request, outcome: Outcome) -> None:
    """The outcome as a message on the next page (no JavaScript, or after a redirect);
    admins also read the technical reason."""
    level = {"success": messages.SUCCESS, "warning": messages.WARNING}.get(
        outcome.level, messages.ERROR
    )
    text = outcome.message
    if outcome.detail and is_panel_admin(request.user):
        text = f"{text} ({outcome.detail})"
    messages.add_message(request, level, text)
