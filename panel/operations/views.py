from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from panel.accounts.decorators import admin_required
from panel.accounts.sudo import sudo_required
from panel.commands import executor
from panel.commands.web import actor
from panel.core.htmx import render_page
from panel.grants.access import get_server_for_user, holds

from . import services
from .commands import RevealRootPassword
from .models import Operation

PER_PAGE = 50


def _operation(request, pk: int, op_id: int, key: str = "server.view"):
    row = get_server_for_user(request.user, pk, key)
    return row, get_object_or_404(Operation, pk=op_id, server=row)


@require_GET
def operation_detail(request, pk: int, op_id: int):
    """One operation, as the server page shows it; htmx polls it every 2 s while it runs
    and the answer 286 (stop polling) comes with its final state."""
    row, op = _operation(request, pk, op_id)
    response = render(
        request, "operations/operation.html", {"op": op, "row": row, "keys": row.keys}
    )
    if not op.is_active and request.htmx:
        response.status_code = 286
    return response


@require_POST
@never_cache
def reveal_password(request, pk: int, op_id: int):
    """The new root password, once: for the initiator or a holder of password.reveal."""
    row = get_server_for_user(request.user, pk)
    op = get_object_or_404(Operation, pk=op_id, server=row, kind="reinstall")
    if not holds(request.user, row, "password.reveal", initiator_id=op.initiator_id):
        raise PermissionDenied("You are not allowed to do that on this server.")
    return _reveal(request, row, op)


@sudo_required  # after the permission check: without it, a 403 before any question
def _reveal(request, row, op):
    outcome = executor.execute(RevealRootPassword(actor=actor(request), server=row, operation=op))
    op.refresh_from_db()
    password, why_not = (outcome.secret, "") if outcome.ok else ("", outcome.message)
    context = {"op": op, "row": row, "keys": row.keys, "password": password, "why_not": why_not}
    template = "operations/password.html" if request.htmx else "operations/password_page.html"
    return render(request, template, context)


@require_POST
def dismiss(request, pk: int, op_id: int):
    row, op = _operation(request, pk, op_id)
    services.dismiss(op)
    if request.htmx:
        return render(request, "operations/dismissed.html")
    messages.info(request, "The operation was dismissed.")
    return redirect("servers:detail", pk=row.pk)


@require_GET
def server_operations(request, pk: int):
    row = get_server_for_user(request.user, pk)
    page = Paginator(Operation.objects.filter(server=row), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"row": row, "keys": row.keys, "page": page, "tab": "operations"}
    return render_page(request, "operations/server_operations.html", "operations-table", context)


@admin_required
@require_GET
def operation_list(request):
    operations = Operation.objects.all()
    status = request.GET.get("status", "")
    if status in Operation.Status.values:
        operations = operations.filter(status=status)
    page = Paginator(operations, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": Operation.Status.choices}
    return render_page(request, "operations/operation_list.html", "operations-table", context)
