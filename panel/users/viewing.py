"""*View as this user*: an admin sees the panel exactly as one user sees it, read-only.

Starting puts (who, by whom, until when) in the admin's session; from the next request on,
ViewAsMiddleware makes that user the request's user, so every page, list and access check
is theirs. Nothing can be changed meanwhile: every request that is not a read is refused
with a plain page (nothing reaches a view, so nothing reaches Terrahost), except *Stop
viewing*, logging out and the language switch. It ends by itself after VIEW_MINUTES;
start and end are audited.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from panel.accounts.decorators import admin_required
from panel.accounts.models import User
from panel.audit.log import record

SESSION_KEY = "panel_viewing_as"
VIEW_MINUTES = 15
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# What may still be posted while viewing: ending the view, logging out, the language.
ALLOWED = ("users:view_as_stop", "accounts:logout", "set_language")


def _viewing(request) -> dict | None:
    """The view under way in this session, or None (an expired one is ended here)."""
    value = request.session.get(SESSION_KEY)
    if not value:
        return None
    if timezone.now().timestamp() >= value["until"]:
        _end(request, value, ended_by_time=True)
        return None
    return value


def _end(request, value: dict, *, ended_by_time: bool = False) -> None:
    request.session.pop(SESSION_KEY, None)
    viewer = User.objects.filter(pk=value["by"]).first()
    details = {"user": value["name"], "ended": "after 15 minutes" if ended_by_time else "stopped"}
    record("user.view_as_stop", actor=viewer, details=details)


@admin_required
@require_POST
def view_as_start(request, user_id: int):
    subject = get_object_or_404(User, pk=user_id)
    if subject == request.user or not subject.is_active:
        messages.error(request, _("You can view the panel as another active user only."))
        return redirect("users:detail", user_id=subject.pk)
    until = timezone.now() + timedelta(minutes=VIEW_MINUTES)
    request.session[SESSION_KEY] = {
        "user": subject.pk,
        "name": subject.get_username(),
        "by": request.user.pk,
        "until": until.timestamp(),
    }
    record("user.view_as_start", request=request, details={"user": subject.get_username()})
    return redirect("site:home")


@require_POST
def view_as_stop(request):
    value = getattr(request, "viewing_as", None)
    if value is not None:
        _end(request, value)
        return redirect("users:detail", user_id=value["user"])
    return redirect("site:home")


class ViewAsMiddleware:
    """While an admin views as someone, that someone is the request's user (read-only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        value = _viewing(request) if user is not None and user.is_authenticated else None
        if value is None:
            return self.get_response(request)
        subject = User.objects.filter(pk=value["user"], is_active=True).first()
        if subject is None:  # deleted or disabled meanwhile: nothing left to view
            _end(request, value)
            return self.get_response(request)
        subject.is_verified = lambda: True  # the admin passed two-factor login, not them
        request.viewer, request.viewing_as, request.user = user, value, subject
        allowed = {reverse(name) for name in ALLOWED}
        if request.method not in SAFE_METHODS and request.path not in allowed:
            page = render_to_string("users/viewing_refused.html", {"viewing_as": value}, request)
            return HttpResponseForbidden(page)
        return self.get_response(request)
