"""Sudo mode, as in healthchecks: the most sensitive actions (reinstall, revealing a root
password, changing connections, two-factor settings, and an admin making someone an admin,
sending a password reset link or turning off someone's two-factor login) ask for the
password or a code again unless this session gave one within PANEL_SUDO_MINUTES. A login
counts as giving one.

    @sudo_required
    def connection_delete(request, pk): ...

Where a view checks the user's permission itself, the decorator goes on the part after
that check, so that a user without the permission gets their 403 or 404 first.
"""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

SESSION_KEY = "panel:sudo_at"


def confirm(session) -> None:
    """The user just gave their password or a code in this session."""
    session[SESSION_KEY] = time.time()


def is_active(session) -> bool:
    confirmed_at = session.get(SESSION_KEY)
    return (
        confirmed_at is not None and time.time() - confirmed_at < settings.PANEL_SUDO_MINUTES * 60
    )


def sudo_required(view):
    """Run `view` in sudo mode; otherwise send the user to confirm it is them, and from
    there back to this page (for a GET) or to the page the form was on (for a POST, whose
    data is not kept: they press the button again)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if is_active(request.session):
            return view(request, *args, **kwargs)
        return ask(request)

    return wrapped


def ask(request):
    """The answer that sends the user to confirm it is them (for a view that asks only for
    some of its changes; the others use sudo_required)."""
    back = request.get_full_path() if request.method in ("GET", "HEAD") else _form_page(request)
    url = f"{reverse('accounts:sudo')}?{urlencode({'next': back})}"
    # htmx would swap the confirmation page into a corner of the page: a full load.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def safe_next(request, url: str) -> str:
    """`url` as a path on this site, or the home page when it points elsewhere."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("site:home")


def _form_page(request) -> str:
    """The page a POST was sent from: htmx names it; a plain form leaves it in the Referer
    (sent to our own origin under the same-origin referrer policy)."""
    page = request.htmx.current_url if request.htmx else request.META.get("HTTP_REFERER", "")
    return safe_next(request, page or "")
