from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from panel.core.htmx import render_page
from panel.grants.access import get_server_for_user, is_panel_admin

from . import services


@require_GET
def server_list(request):
    result = services.list_servers(
        request.user,
        query=request.GET.get("q", ""),
        sort=request.GET.get("sort", ""),
        page=request.GET.get("page", 1),
    )
    return render_page(request, "servers/server_list.html", "server-table", {"result": result})


@require_POST
def server_list_refresh(request):
    """ "Try again" on the list: refresh the user's connections now, then say what happened."""
    report = services.refresh_for_user(request.user)
    for level, text in report.messages(for_admin=is_panel_admin(request.user)):
        messages.add_message(request, level, text)
    return redirect("servers:list")


@require_GET
def server_detail(request, pk: int):
    row = get_server_for_user(request.user, pk)
    detail = services.get_server_detail(row)
    context = {"row": row, "detail": detail, "server": detail.server, "keys": row.keys}
    return render_page(request, "servers/server_detail.html", "server-detail-body", context)
