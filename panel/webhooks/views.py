"""The Webhooks pages: for panel admins (every endpoint) and customer admins (their own
customer's). Anyone else gets a 403 before anything else, whatever the method."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from panel.commands.web import actor, tell
from panel.core import crypto
from panel.core.events import EVENTS
from panel.core.htmx import render_page
from panel.grants.access import is_panel_admin

from . import services
from .forms import EndpointForm

PER_PAGE = 25


def manager_required(methods):
    """Panel and customer admins only (a 403 first), then only `methods` (405)."""

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not services.may_manage(request.user):
                raise PermissionDenied("Only panel and customer admins manage webhooks.")
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


@manager_required(["GET", "HEAD"])
def endpoint_list(request):
    endpoints = services.endpoints_for(request.user)
    context = {"endpoints": endpoints, "admin": is_panel_admin(request.user)}
    return render(request, "webhooks/endpoint_list.html", context)


def _form(request, endpoint=None) -> EndpointForm:
    initial = None
    if endpoint is not None:
        initial = {
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "customer": endpoint.customer_id,
            "enabled": endpoint.enabled,
        }
    return EndpointForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        # The scope of an existing endpoint stays: another scope is another endpoint.
        choose_customer=is_panel_admin(request.user) and endpoint is None,
        editing=endpoint is not None,
    )


@manager_required(["GET", "HEAD", "POST"])
def endpoint_create(request):
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = data.get("customer") if is_panel_admin(request.user) else request.user.customer
        endpoint = services.create(
            actor=actor(request),
            url=data["url"],
            description=data["description"],
            events=data["events"],
            customer=customer,
        )
        messages.success(
            request,
            _("The endpoint was added. Give its secret to the receiver, to check signatures."),
        )
        return redirect("webhooks:detail", endpoint_id=endpoint.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form}, status=_status(form))


def _status(form) -> int:
    return 400 if form.errors else 200


@manager_required(["GET", "HEAD"])
def endpoint_detail(request, endpoint_id: int):
    endpoint = services.get_endpoint_for_user(request.user, endpoint_id)
    page = Paginator(endpoint.deliveries.all(), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "endpoint": endpoint,
        "events": [(name, label) for name, label in EVENTS.items() if name in endpoint.events],
        "page": page,
        "secret": _secret(endpoint),
        "previous_signs": endpoint.previous_secret_until is not None
        and endpoint.previous_secret_until > timezone.now(),
        "questions": _questions(endpoint),
    }
    return render_page(request, "webhooks/endpoint_detail.html", "deliveries", context)


def _secret(endpoint) -> str:
    """The secret to show its manager; "" when the panel's keys cannot decrypt it."""
    try:
        return endpoint.secret
    except crypto.DecryptionError:
        return ""


def _questions(endpoint) -> dict:
    return {
        "delete": {
            "title": _("Delete this endpoint?"),
            "text": _(
                "Nothing more is sent to %(url)s, and its delivery log is deleted with it. "
                "This cannot be undone."
            )
            % {"url": endpoint.url},
            "confirm": _("Delete endpoint"),
        }
    }


@manager_required(["GET", "HEAD", "POST"])
def endpoint_edit(request, endpoint_id: int):
    endpoint = services.get_endpoint_for_user(request.user, endpoint_id)
    form = _form(request, endpoint)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changed = services.update(
            endpoint,
            actor=actor(request),
            url=data["url"],
            description=data["description"],
            events=data["events"],
            enabled=data["enabled"],
        )
        if changed:
            messages.success(request, _("The endpoint was saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("webhooks:detail", endpoint_id=endpoint.pk)
    context = {"form": form, "endpoint": endpoint}
    return render(request, "webhooks/endpoint_form.html", context, status=_status(form))


@manager_required(["POST"])
def endpoint_rotate(request, endpoint_id: int):
    endpoint = services.get_endpoint_for_user(request.user, endpoint_id)
    services.rotate_secret(endpoint, actor=actor(request))
    messages.success(
        request,
        _(
            "The endpoint has a new secret. For 24 hours, messages are signed with the old one "
            "too: give the new one to the receiver within that time."
        ),
    )
    return redirect("webhooks:detail", endpoint_id=endpoint.pk)


@manager_required(["POST"])
def endpoint_test(request, endpoint_id: int):
    endpoint = services.get_endpoint_for_user(request.user, endpoint_id)
    tell(request, services.send_test(endpoint, actor=actor(request)))
    return redirect("webhooks:detail", endpoint_id=endpoint.pk)


@manager_required(["GET", "HEAD", "POST"])
def endpoint_delete(request, endpoint_id: int):
    """GET: the question (without JavaScript; with it, a dialog asks); POST: delete."""
    endpoint = services.get_endpoint_for_user(request.user, endpoint_id)
    if request.method == "POST":
        services.delete(endpoint, actor=actor(request))
        messages.success(request, _("The endpoint %(url)s was deleted.") % {"url": endpoint.url})
        return redirect("webhooks:list")
    context = {"endpoint": endpoint, "question": _questions(endpoint)["delete"]}
    return render(request, "webhooks/endpoint_delete.html", context)


@manager_required(["POST"])
def delivery_resend(request, endpoint_id: int, delivery_id: int):
    endpoint = services.get_endpoint_for_user(request.user, endpoint_id)
    delivery = get_object_or_404(endpoint.deliveries.select_related("endpoint"), pk=delivery_id)
    tell(request, services.resend(delivery, actor=actor(request)))
    return redirect("webhooks:detail", endpoint_id=endpoint.pk)
