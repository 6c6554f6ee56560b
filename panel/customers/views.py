"""The reseller's customers pages (panel admins): the list, adding a customer, each
customer's page (details, servers, people, teams), editing, assigning and unassigning
servers, suspending and reactivating; and the server page's "Belongs to" form. The list and
a customer's page also open, read-only, to whoever runs that customer (access.py)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panel.accounts import sudo
from panel.accounts.decorators import admin_required
from panel.commands.web import actor, tell
from panel.grants.access import is_panel_admin
from panel.grants.permissions import grouped
from panel.grants.views import picker_context
from panel.servers.models import MirroredServer
from panel.teams.models import Invitation

from . import services
from .access import get_customer_for_user, runs_customers_required, visible_customers
from .forms import AssignForm, CustomerForm, ServerCustomerForm
from .models import Customer


@runs_customers_required
@require_GET
def customer_list(request):
    customers = services.listing().filter(pk__in=visible_customers(request.user).values("pk"))
    return render(request, "customers/customer_list.html", {"customers": customers})


@admin_required
@require_http_methods(["GET", "POST"])
def customer_create(request):
    form = CustomerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        customer = services.create(form.save(commit=False), actor=actor(request))
        messages.success(request, _("Customer %(name)s was added.") % {"name": customer.name})
        return redirect("customers:detail", customer_id=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form})


def _questions(customer) -> dict:
    """What the confirmation dialogs (and their pages without JavaScript) ask."""
    name = {"name": customer.name}
    return {
        "suspend": {
            "title": _("Suspend %(name)s?") % name,
            "text": _(
                "Their people are stopped at once: every page shows that the account is "
                "suspended, and nothing they started earlier goes on. Their servers, people "
                "and access stay, to reactivate later."
            )
            % name,
            "confirm": _("Suspend customer"),
            "check_label": _("Also power off their servers"),
        },
    }


@runs_customers_required
@require_GET
def customer_detail(request, customer_id: int):
    """Panel admins change the customer here; whoever else runs it (staff limited to it,
    its own admins) reads it and may view the panel as one of its people. Only the
    reseller's staff read its contacts, reference and notes."""
    customer = get_customer_for_user(request.user, customer_id)
    context = {
        "customer": customer,
        "admin": is_panel_admin(request.user),
        "staff": request.user.customer_id is None,
        "ceiling": grouped(customer.ceiling),
        "servers": customer.servers.select_related("connection").order_by(
            "connection__name", "display_name"
        ),
        "people": customer.people.order_by("username"),
        "teams": customer.teams.order_by("name"),
        "invitations": Invitation.objects.pending()
        .filter(team__customer=customer)
        .select_related("team")
        .order_by("email"),
        "questions": _questions(customer),
    }
    return render(request, "customers/customer_detail.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def customer_edit(request, customer_id: int):
    customer = get_object_or_404(Customer, pk=customer_id)
    form = CustomerForm(request.POST or None, instance=Customer.objects.get(pk=customer.pk))
    if request.method == "POST" and form.is_valid():
        # What its people may ever hold is security: asked again, like making an admin.
        if "ceiling" in form.changed_data and not sudo.is_active(request.session):
            return sudo.ask(request)
        if form.has_changed():
            services.update(form.save(commit=False), form.changed_data, actor=actor(request))
            messages.success(request, _("%(name)s was saved.") % {"name": form.instance.name})
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("customers:detail", customer_id=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


@admin_required
@require_http_methods(["GET", "POST"])
def customer_assign(request, customer_id: int):
    """The searchable picker (its search also works as a GET of this page); POST assigns
    the picked servers, moving those of another customer."""
    customer = get_object_or_404(Customer, pk=customer_id)
    form = AssignForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        servers = form.cleaned_data["servers"].select_related("customer", "connection")
        moved = services.assign(customer, servers, actor=actor(request))
        text = ngettext(
            "%(count)d server was assigned to %(name)s.",
            "%(count)d servers were assigned to %(name)s.",
            moved,
        )
        messages.success(request, text % {"count": moved, "name": customer.name})
        return redirect("customers:detail", customer_id=customer.pk)
    data = request.POST if request.method == "POST" else request.GET
    context = {
        "customer": customer,
        "form": form,
        "picker": picker_context(request, request.user, None, data),
    }
    status = 400 if form.errors else 200
    return render(request, "customers/customer_assign.html", context, status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def customer_suspend(request, customer_id: int):
    """GET: the question (without JavaScript; with it, a dialog asks); POST: suspend,
    powering their servers off first if asked."""
    customer = get_object_or_404(Customer, pk=customer_id)
    if request.method == "GET":
        context = {"customer": customer, "question": _questions(customer)["suspend"]}
        return render(request, "customers/suspend_confirm.html", context)
    if customer.is_suspended:
        messages.info(request, _("%(name)s is suspended already.") % {"name": customer.name})
        return redirect("customers:detail", customer_id=customer.pk)
    power_off = request.POST.get("power_off") == "1"
    for outcome in services.suspend(customer, actor=actor(request), power_off=power_off):
        if not outcome.ok:
            tell(request, outcome)
    messages.success(request, _("%(name)s is suspended.") % {"name": customer.name})
    return redirect("customers:detail", customer_id=customer.pk)


@admin_required
@require_POST
def customer_reactivate(request, customer_id: int):
    customer = get_object_or_404(Customer, pk=customer_id)
    if customer.is_suspended:
        services.reactivate(customer, actor=actor(request))
    messages.success(request, _("%(name)s is active again.") % {"name": customer.name})
    return redirect("customers:detail", customer_id=customer.pk)


@admin_required
@require_POST
def server_customer(request, server_id: int):
    """Assign one server to a customer, move it, or make it the reseller's own again (the
    server page's form, and Unassign on a customer's page); back to where it was sent."""
    server = get_object_or_404(MirroredServer.objects.select_related("customer"), pk=server_id)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("servers:detail", args=[server.pk])
    form = ServerCustomerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a customer from the list."))
    else:
        customer = form.cleaned_data["customer"]
        if services.assign(customer, [server], actor=actor(request)):
            values = {"server": server, "customer": customer}
            if customer is None:
                text = _("%(server)s is the reseller's own again.") % values
            else:
                text = _("%(server)s now belongs to %(customer)s.") % values
            messages.success(request, text)
    return redirect(back)
