import csv

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseNotAllowed, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from panel.accounts.decorators import admin_required
from panel.core.htmx import render_page
from panel.customers.models import Customer
from panel.grants.access import (
    get_server_for_user,
    is_account_manager,
    is_customer_admin,
    is_panel_admin,
    managed_customer_ids,
)

from .forms import AuditFilterForm
from .models import AuditEntry

PER_PAGE = 50


@require_GET
def server_activity(request, pk: int):
    """The Activity tab: what was done to this server, for anyone who sees it."""
    row = get_server_for_user(request.user, pk)
    entries = AuditEntry.objects.filter(server=row)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    context = {"row": row, "keys": row.keys, "page": page, "tab": "activity"}
    return render_page(request, "audit/server_activity.html", "activity-table", context)


def _visible_entries(user):
    """Admins: every entry. Whoever runs customers (their customer admins, staff limited to
    them): what was done to those customers' servers or by their people. Anyone else: 403."""
    if is_panel_admin(user):
        return AuditEntry.objects.all()
    if not (is_customer_admin(user) or is_account_manager(user)):
        raise PermissionDenied("Only panel and customer admins can open the audit log.")
    customers = managed_customer_ids(user)
    mine = Q(server__customer_id__in=customers) | Q(actor__customer_id__in=customers)
    return AuditEntry.objects.filter(mine).select_related("actor")


def audit_list(request):
    entries = _visible_entries(request.user)  # a 403 before the method's 405, as elsewhere
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    user = request.user
    if is_panel_admin(user):
        customers = Customer.objects.all()
    elif user.customer_id is None:  # staff limited to chosen customers
        customers = Customer.objects.filter(pk__in=managed_customer_ids(user))
    else:
        customers = None
    form = AuditFilterForm(request.GET or None, customers=customers)
    page = Paginator(form.filter(entries), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        # A customer's admin reads the addresses of their own people only.
        "own_customer": request.user.customer_id,
    }
    return render_page(request, "audit/audit_list.html", "audit-table", context)


class _Echo:
    """csv.writer writes into this and gets the line back (Django's streaming CSV recipe)."""

    def write(self, value):
        return value


CSV_COLUMNS = [
    "time",
    "user",
    "action",
    "result",
    "message",
    "server",
    "terrahost server id",
    "connection",
    "source address",
    "user agent",
    "details",
]


def _csv_rows(entries):
    yield CSV_COLUMNS
    for entry in entries.iterator(chunk_size=1000):
        yield [
            timezone.localtime(entry.at).isoformat(timespec="seconds"),
            entry.actor_name,
            entry.action,
            entry.result,
            entry.message,
            entry.server_name,
            entry.srv_id if entry.srv_id is not None else "",
            entry.connection_name,
            entry.source_address or "",
            entry.user_agent,
            ", ".join(f"{key}={value}" for key, value in entry.details.items()),
        ]


@admin_required
@require_GET
def audit_export(request):
    """The filtered log as CSV, streamed: a year of entries never sits in memory."""
    form = AuditFilterForm(request.GET or None)
    entries = form.filter(AuditEntry.objects.order_by("at", "pk"))
    writer = csv.writer(_Echo())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return StreamingHttpResponse(
        (writer.writerow(_spreadsheet_safe(row)) for row in _csv_rows(entries)),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"'},
    )


def _spreadsheet_safe(row):
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection);
    # server names and user agents come from outside.
    return [
        f"'{cell}" if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") else cell
        for cell in row
    ]
