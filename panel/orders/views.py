"""The two billable orders: an upgrade package and an extra IPv4 address.

Each page is a choice (GET), a confirmation (GET with the choice), then one POST that
starts a long operation (panel.operations) and comes back to the page, where the
operation shows and, with JavaScript, follows itself. The page's "state" part (what the
server has now and the recent orders) polls while an order runs, so the new package or
address shows as soon as the server has it.
"""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from panel.commands import executor
from panel.commands.web import actor, tell
from panel.core.htmx import render_page
from panel.core.outcomes import new_key
from panel.grants.access import get_server_for_user
from panel.servers.detail import get_server_detail

from . import services
from .commands import OrderIPv4, OrderUpgrade
from .forms import IP_TYPES, IPv4Form, UpgradeForm, ip_types

UPGRADE = "orders/upgrade.html"
IPV4 = "orders/ipv4.html"


def _state(request, template: str, partial: str, context: dict):
    """The page's state part alone (an htmx poll): 286 tells htmx to stop once no order
    of this kind runs."""
    response = render_page(request, template, partial, context)
    if not context["busy"]:
        response.status_code = 286
    return response


def _base(row, kind: str) -> dict:
    detail = get_server_detail(row)
    recent = services.recent(row, [kind])
    return {
        "row": row,
        "keys": row.keys,
        "tab": "overview",
        "detail": detail,
        "server": detail.server,
        "operations": recent,
        "busy": services.busy(recent),
    }


def _started(request, command) -> bool:
    """Run the order's command; whether it has an operation to follow (a new one, or the
    one a double click started)."""
    outcome = executor.execute(command)
    tell(request, outcome)
    return outcome.data.get("operation") is not None


@require_http_methods(["GET", "POST"])
def upgrade(request, pk: int):
    row = get_server_for_user(request.user, pk, "upgrade.order")
    context = _base(row, "upgrade")
    server = context["server"]
    context["disk_gb"] = services.disk_total(server) if server else None
    if request.htmx and request.htmx.target == "upgrade-state":
        return _state(request, UPGRADE, "upgrade-state", context)
    offers, problem = services.offers(row)
    data = request.POST if request.method == "POST" else request.GET
    offer = services.pick(offers, data.get("package"))
    context.update(
        offers=offers,
        problem=problem,
        offer=offer,
        orderable=any(o.orderable for o in offers),
        show_prices="billing.view" in row.keys,
        step="choose" if offer is None else "confirm",
    )
    if offer is None:
        # A package was named but is not (or no longer) orderable: say so, no call made.
        status = 400 if data.get("package") else 200
        context["invalid_choice"] = bool(data.get("package"))
        return render(request, UPGRADE, context, status=status)
    form = UpgradeForm(
        request.POST if request.method == "POST" else None,
        server_name=row.display_name,
        initial={"package": offer.package.id, "idempotency_key": new_key()},
    )
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        command = OrderUpgrade(
            actor=actor(request), server=row, key=form.key(), package=offer.package
        )
        if _started(request, command):
            return redirect("orders:upgrade", pk=row.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, UPGRADE, context, status=status)


@require_http_methods(["GET", "POST"])
def ipv4(request, pk: int):
    row = get_server_for_user(request.user, pk, "ip.order")
    context = _base(row, "ipv4_order")
    if request.htmx and request.htmx.target == "ipv4-state":
        return _state(request, IPV4, "ipv4-state", context)
    allowed = ip_types(row)
    data = request.POST if request.method == "POST" else request.GET
    chosen = data.get("ip_type", "")
    context.update(
        ip_types=[(t, *IP_TYPES[t]) for t in allowed],
        l2_refused=row.type in ("vps", ""),
    )
    if chosen not in allowed:
        context["step"] = "choose"
        context["invalid_choice"] = bool(chosen)
        return render(request, IPV4, context, status=400 if chosen else 200)
    form = IPv4Form(
        request.POST if request.method == "POST" else None,
        allowed=allowed,
        initial={"ip_type": chosen, "idempotency_key": new_key()},
    )
    context.update(step="confirm", form=form, chosen=(chosen, *IP_TYPES[chosen]))
    if request.method == "POST" and form.is_valid():
        ip_type = form.cleaned_data["ip_type"]
        command = OrderIPv4(actor=actor(request), server=row, key=form.key(), ip_type=ip_type)
        if _started(request, command):
            return redirect("orders:ipv4", pk=row.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, IPV4, context, status=status)
