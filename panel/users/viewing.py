"""*View as this user*: an admin sees the panel exactly as one user sees it, read-only
(panel admins as anyone; customer admins and staff limited to customers as the people of
the customers they run).

Starting puts (who, by whom, until when) in the admin's session; from the next request on,
ViewAsMiddleware makes that user the request's user, so every page, list and access check
is theirs. Nothing can be changed meanwhile: every request that is not a read is refused
with a plain page (nothing reaches a view, so nothing reaches Terrahost), except *Stop
viewing*, logging out and the language switch. It ends by itself after VIEW_MINUTES;
start and end are audited.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from django.contrib import messages
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from panel.accounts.models import User
from panel.audit.log import record
from panel.core.ids import parse_id
from panel.customers.access import runs_customers_required
from panel.grants.access import is_panel_admin, manages_customer

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


def _back(viewer, subject):
    """Where the viewer came from: the user's page (admins) or their customer's page."""
    if is_panel_admin(viewer):
        return redirect("users:detail", user_id=subject.pk)
    return redirect("customers:detail", customer_id=subject.customer_id)


@runs_customers_required
@require_POST
def view_as_start(request, user_id: int):
    """Panel admins view as anyone; whoever runs a customer (its admins, staff limited to
    it) as that customer's people. Anyone else is answered as if the user did not exist."""
    viewer = request.user
    try:
        subject = User.objects.get(pk=parse_id(user_id))
    except User.DoesNotExist:
        raise Http404("No such user.") from None
    if not (is_panel_admin(viewer) or manages_customer(viewer, subject.customer_id)):
        raise Http404("No such user.")
    if subject == viewer or not subject.is_active:
        messages.error(request, _("You can view the panel as another active user only."))
        return _back(viewer, subject)
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
        viewer = User.objects.filter(pk=value["by"]).first()
        subject = User.objects.filter(pk=value["user"]).first()
        if viewer is not None and subject is not None:
            return _back(viewer, subject)
    return redirect("site:home")


def refused_text(name: str) -> str:
    return _(
        "You are viewing the panel as %(name)s: it shows what they see, and nothing can be "
        "changed from it. Stop viewing to work as yourself again."
    ) % {"name": name}


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
        # Deleted or disabled meanwhile, or the viewer no longer runs their customer.
        if subject is None or not (
            is_panel_admin(user) or manages_customer(user, subject.customer_id)
        ):
            _end(request, value)
            return self.get_response(request)
        subject.is_verified = lambda: True  # the admin passed two-factor login, not them
        request.viewer, request.viewing_as, request.user = user, value, subject
        allowed = {reverse(name) for name in ALLOWED}
        if request.method not in SAFE_METHODS and request.path not in allowed:
            context = {"viewing_as": value, "text": refused_text(value["name"])}
            response = HttpResponseForbidden(
                render_to_string("users/viewing_refused.html", context, request)
            )
            # An htmx click has no page to show: its notice says the same in words.
            response["X-Problem"] = quote(refused_text(value["name"]))
            return response
        return self.get_response(request)
