import time
from datetime import timedelta
from types import SimpleNamespace

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from panel.branding.whitelabel import white_label
from panel.commands import executor
from panel.commands.web import actor, posted_key, tell
from panel.core.htmx import render_page
from panel.core.templatetags.panel import server_type
from panel.grants.access import get_server_for_user, is_panel_admin
from panel.operations.models import Operation

from .commands import POWER, OpenConsole, Power, Rename, SetReverseDNS
from .detail import get_server_detail, live_status, page_detail, power_settled
from .forms import DelegationForm, PTRForm, RenameForm
from .listing import list_servers
from .refresh import refresh_for_user, refresh_pending

DETAIL = "servers/server_detail.html"
HEAD = "servers/server_head.html"
BADGE = "servers/status_badge.html"
# The id of the list's element that polls while a stale list refreshes in the background.
REFRESH_POLL = "server-refresh"
# The status badge polls this long after a power action, then says "reload later".
POLL_FOR = 120
CONSOLE_SESSION = timedelta(hours=3)


@require_GET
def server_list(request):
    """The list, from the mirror. While a stale list refreshes in the background, the
    table polls this view (htmx, as REFRESH_POLL): 204 while the refresh is under way,
    then the table with the fresh rows and 286 (htmx: stop polling)."""
    polled = request.htmx.trigger == REFRESH_POLL
    if polled and refresh_pending(request.user):
        return HttpResponse(status=204)
    result = list_servers(
        request.user,
        query=request.GET.get("q", ""),
        sort=request.GET.get("sort", ""),
        page=request.GET.get("page", 1),
    )
    context = {"result": result, "rows": list_rows(request, result), "polled": polled}
    response = render_page(request, "servers/server_list.html", "server-table", context)
    if polled:
        response.status_code = 286
    return response


def list_rows(request, result) -> list[dict]:
    """The page's rows with what each cell shows worked out once.

    The list is the busiest page, and each tag, filter, include and {% url %} in a row of
    a Django template costs once per row: here the detail URL is one reverse() for the
    page, and the status badge is rendered once per status (from the template the server
    page uses).
    """
    url = reverse("servers:detail", args=[0]).removesuffix("0/") + "{}/"
    names = {conn.pk: conn.name for conn in result.connections}
    badges: dict[str, str] = {}
    hide_label = None  # white label, asked only when a row has a label to show
    rows = []
    for row in result.page.object_list:
        status, display_name = row["status"], row["display_name"]
        if status not in badges:
            badges[status] = render_to_string(BADGE, {"status": status})
        second_line = ""
        if row["label"] and row["label"] != display_name:
            if hide_label is None:
                hide_label = white_label(request)
            second_line = "" if hide_label else row["label"]
        if not second_line and row["name"] and row["name"] != display_name:
            second_line = row["name"]
        rows.append(
            {
                "url": url.format(row["pk"]),
                "title": display_name or row["srv_id"],
                "second_line": second_line,
                "primary_ip": row["primary_ip"] or "—",
                "location": row["location"] or "—",
                "kind": server_type(SimpleNamespace(type=row["type"], vps_type=row["vps_type"])),
                "os_name": row["os_name"] or "—",
                "badge": badges[status],
                "missing_since": row["missing_since"],
                "last_seen_at": row["last_seen_at"],
                "connection": names.get(row["connection_id"], ""),
            }
        )
    return rows


@require_POST
def server_list_refresh(request):
    """ "Try again" on the list: refresh the user's connections now, then say what happened."""
    report = refresh_for_user(request.user)
    admin = is_panel_admin(request.user)
    for level, text in report.admin_messages() if admin else report.customer_messages():
        messages.add_message(request, level, text)
    return redirect("servers:list")


def _page_context(request, row, detail=None, **extra) -> dict:
    detail = detail or page_detail(row)
    # The newest operations not dismissed; each polls itself while it runs.
    operations = list(Operation.objects.filter(server=row, dismissed=False)[:5])
    return {
        "row": row,
        "detail": detail,
        "server": detail.server,
        "status": live_status(detail.server) if detail.ok else row.status,
        "suspended_since": detail.server.suspended_at if detail.server else None,
        "operations": operations,
        "reinstalling": any(op.kind == "reinstall" and op.is_active for op in operations),
        "keys": row.keys,
        "tab": "overview",
        **extra,
    }


@require_GET
def server_detail(request, pk: int):
    """The server page, at once: from the cached record, else from the mirror's, with the
    rest loaded right after (htmx, server_detail_live). Never waits for Terrahost."""
    row = get_server_for_user(request.user, pk)
    return render_page(request, DETAIL, "server-detail-body", _page_context(request, row))


@require_GET
def server_detail_live(request, pk: int):
    """The server page's body from the API's record (the detail cache, or the one GET
    /servers/{id}), which the page loads right after it shows; also its "Try again".
    Without JavaScript, the whole page.

    `shown` is the status the page showed (the mirror's). When the record says otherwise,
    the page reloads: its head, power and actions follow the status too, and the record is
    cached now (the mirror row updated), so the reload shows it without another call.
    """
    row = get_server_for_user(request.user, pk)
    shown = request.GET.get("shown")
    detail = get_server_detail(row)  # updates row.status from the record
    if request.htmx and detail.ok and shown not in (None, row.status):
        return HttpResponseClientRefresh()
    context = _page_context(request, row, detail)
    return render_page(request, DETAIL, "server-detail-body", context)


def _invalid(request) -> int:
    """The status of a form answered with its errors: 422 for htmx (swapped in place; see
    the htmx config in base.html), 400 for a page."""
    return 422 if request.htmx else 400


def _answer(request, row, outcome, partial: str, context: dict | None = None, template=DETAIL):
    """An action's answer: the partial for htmx; without JavaScript, back to the server
    page with the outcome as a message."""
    if not request.htmx:
        tell(request, outcome)
        return redirect("servers:detail", pk=row.pk)
    context = {
        "row": row,
        "keys": row.keys,
        "outcome": outcome,
        **(context or {}),
    }
    return render(request, f"{template}#{partial}", context)


# --- power ------------------------------------------------------------------------------------


def _power(request, pk: int, action: str):
    """GET: the confirmation step (for browsers without JavaScript; with it, a <dialog>
    asks on the server page). POST: the action."""
    row = get_server_for_user(request.user, pk, "power.control")
    if request.method == "GET":
        context = _page_context(request, row, confirm=action)
        return render(request, "servers/power_confirm.html", context)
    command = Power(actor=actor(request), server=row, key=posted_key(request), power=action)
    outcome = executor.execute(command)
    polling = {"action": action, "goal": POWER[action].goal, "started": int(time.time())}
    context = {"changing": polling if outcome.ok else None, "server": None, "status": row.status}
    return _answer(request, row, outcome, "power-panel", context)


@require_http_methods(["GET", "POST"])
def power_reboot(request, pk: int):
    return _power(request, pk, "reboot")


@require_http_methods(["GET", "POST"])
def power_off(request, pk: int):
    return _power(request, pk, "off")


@require_http_methods(["GET", "POST"])
def power_on(request, pk: int):
    return _power(request, pk, "on")


@require_GET
def power_status(request, pk: int):
    """The power panel while a power action settles; htmx polls it every 2 s. HTTP 286
    (htmx: stop polling) once the server reached its goal or after POLL_FOR seconds."""
    row = get_server_for_user(request.user, pk)
    action, goal = request.GET.get("action", ""), request.GET.get("goal", "")
    try:
        started = int(request.GET.get("started", ""))
    except ValueError:
        started = 0
    if action not in POWER or goal not in ("on", "off"):
        raise Http404("No such power action.")
    detail = get_server_detail(row, fresh=True)
    server = detail.server
    settled = server is not None and power_settled(server, goal)
    gave_up = time.time() - started > POLL_FOR
    context = {
        "row": row,
        "keys": row.keys,
        "server": server,
        "detail": detail,
        "status": live_status(server) if server else row.status,
        "changing": None
        if settled or gave_up
        else {"action": action, "goal": goal, "started": started},
        "gave_up": gave_up and not settled,
        "polled": True,
    }
    response = render(request, f"{DETAIL}#power-panel", context)
    if settled or gave_up:
        response.status_code = 286
    return response


# --- console ---------------------------------------------------------------------------------


@require_POST
@never_cache
def console_open(request, pk: int):
    row = get_server_for_user(request.user, pk, "console.open")
    command = OpenConsole(actor=actor(request), server=row, key=posted_key(request))
    outcome = executor.execute(command)
    session = outcome.secret
    context = {"session": session}
    if session is not None:
        # Sessions last three hours; the answer does not always say until when.
        context["session_ends"] = session.expires_at or timezone.now() + CONSOLE_SESSION
    if not request.htmx and session is not None:
        # Without JavaScript the details get a page of their own (never stored).
        page = _page_context(request, row, outcome=outcome, **context)
        return render(request, "servers/console.html", page)
    return _answer(request, row, outcome, "console-panel", context)


# --- rename ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def server_rename(request, pk: int):
    """GET: the form (in place for htmx, a page without JavaScript); POST: rename."""
    row = get_server_for_user(request.user, pk, "server.rename")
    form = RenameForm(request.POST or None, initial={"name": row.name or row.display_name})
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        command = Rename(actor=actor(request), server=row, key=form.key(), name=name)
        outcome = executor.execute(command)
        return _answer(request, row, outcome, "server-name", template=HEAD)
    status = _invalid(request) if form.is_bound else 200
    context = _page_context(request, row, rename_form=form) if not request.htmx else {}
    if request.htmx:
        return render(
            request,
            "servers/server_head.html#rename-form",
            {"row": row, "keys": row.keys, "rename_form": form},
            status=status,
        )
    return render(request, "servers/rename.html", context, status=status)


# --- reverse DNS -----------------------------------------------------------------------------


def _address(detail, ip_id: str | None, sub_id: str | None):
    """The IPv4 address or IPv6 subnet of this server the request names, or 404."""
    server = detail.server
    if server is None:
        return None
    if ip_id:
        return next((ip for ip in server.ips if str(ip.id) == ip_id and ip.version == 4), None)
    if sub_id:
        return next((s for s in server.subnets if str(s.id) == sub_id), None)
    return None


@require_http_methods(["GET", "POST"])
def reverse_dns(request, pk: int):
    """GET: every address with its form (a page, or one row's form in place for htmx);
    POST: change one address's PTR or one subnet's delegation."""
    row = get_server_for_user(request.user, pk, "rdns.edit")
    data = request.POST if request.method == "POST" else request.GET
    ip_id, sub_id = data.get("ip_id"), data.get("sub_id")
    detail = get_server_detail(row)
    if not (ip_id or sub_id):
        if request.method == "POST":
            raise Http404("No address given.")
        return render(request, "servers/reverse_dns.html", _page_context(request, row, detail))
    item = _address(detail, ip_id, sub_id)
    if item is None:
        if not detail.ok:  # Terrahost did not answer: say so in place, never a 500
            return render(request, f"{DETAIL}#rdns-unavailable", {"detail": detail}, status=503)
        raise Http404("No such address on this server.")
    form_class = PTRForm if ip_id else DelegationForm
    form = form_class(data if request.method == "POST" else None)
    context = {"item": item, "is_subnet": bool(sub_id), "form": form, "editing": True}
    if request.method == "POST" and form.is_valid():
        value = form.cleaned_data["hostname" if ip_id else "nameservers"]
        command = SetReverseDNS(
            actor=actor(request),
            server=row,
            key=form.key(),
            address=item.address if ip_id else item.cidr,
            ip_id=item.id if ip_id else None,
            sub_id=item.id if sub_id else None,
            value=value,
        )
        outcome = executor.execute(command)
        context.update(editing=not outcome.ok, shown=value if outcome.ok else None)
        return _answer(request, row, outcome, "rdns-row", context)
    status = _invalid(request) if form.is_bound else 200
    if not request.htmx:  # one address's form on a page of its own
        page = _page_context(request, row, detail, **context)
        return render(request, "servers/reverse_dns.html", page, status=status)
    context.update(row=row, keys=row.keys, editing=not data.get("cancel"))
    return render(request, f"{DETAIL}#rdns-row", context, status=status)
