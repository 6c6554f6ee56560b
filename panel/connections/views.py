from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from panel.accounts.decorators import admin_required
from panel.servers import mirror

from . import services
from .forms import ConnectionAddForm, PasswordUpdateForm, ReauthForm
from .models import Connection


def _with_counts():
    return Connection.objects.annotate(
        server_count=Count("servers"),
        missing_count=Count("servers", filter=Q(servers__missing_since__isnull=False)),
    )


@admin_required
def connection_list(request):
    return render(request, "connections/connection_list.html", {"connections": _with_counts()})


@admin_required
@require_http_methods(["GET", "POST"])
def connection_add(request):
    form = ConnectionAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new = services.NewConnection(
            name=data["name"],
            username=data["username"],
            password=data["password"],
            code=data["code"],
            base_url=data["base_url"],
        )
        try:
            conn = services.add_connection(new, created_by=request.user)
        except services.ConnectionProblem as problem:
            form.add_error(problem.field, problem.message)
        else:
            mirror.refresh_connection(conn, force=True)
            messages.success(request, f"Connected to Terrahost as {conn.username}.")
            return redirect("connections:detail", pk=conn.pk)
    return render(request, "connections/connection_add.html", {"form": form})


@admin_required
def connection_detail(request, pk: int):
    conn = get_object_or_404(_with_counts(), pk=pk)
    context = {
        "conn": conn,
        "reauth_form": ReauthForm(),
        "password_form": PasswordUpdateForm(),
    }
    return render(request, "connections/connection_detail.html", context)


@admin_required
@require_POST
def connection_reauth(request, pk: int):
    conn = get_object_or_404(Connection, pk=pk)
    form = ReauthForm(request.POST)
    if form.is_valid():
        try:
            services.reauthenticate(conn, form.cleaned_data["code"])
        except services.ConnectionProblem as problem:
            form.add_error("code", problem.message)
        else:
            mirror.refresh_connection(conn, force=True)
            messages.success(request, f"{conn.name} is connected again.")
            return redirect("connections:detail", pk=conn.pk)
    conn = get_object_or_404(_with_counts(), pk=pk)
    context = {"conn": conn, "reauth_form": form, "password_form": PasswordUpdateForm()}
    return render(request, "connections/connection_detail.html", context, status=400)


@admin_required
@require_POST
def connection_password(request, pk: int):
    conn = get_object_or_404(Connection, pk=pk)
    form = PasswordUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.update_password(conn, form.cleaned_data["password"], form.cleaned_data["code"])
        except services.ConnectionProblem as problem:
            form.add_error(None, problem.message)
        else:
            mirror.refresh_connection(conn, force=True)
            messages.success(request, "The new password works and was saved.")
            return redirect("connections:detail", pk=conn.pk)
    conn = get_object_or_404(_with_counts(), pk=pk)
    context = {"conn": conn, "reauth_form": ReauthForm(), "password_form": form}
    return render(request, "connections/connection_detail.html", context, status=400)


@admin_required
@require_POST
def connection_refresh(request, pk: int):
    conn = get_object_or_404(Connection, pk=pk)
    outcome = mirror.refresh_connection(conn, force=True)
    if outcome.error:
        messages.error(request, outcome.error)
    else:
        messages.success(request, "The server list was fetched again.")
    return redirect("connections:detail", pk=conn.pk)


@admin_required
@require_http_methods(["GET", "POST"])
def connection_delete(request, pk: int):
    conn = get_object_or_404(_with_counts(), pk=pk)
    if request.method == "POST":
        name = conn.name
        conn.delete()
        messages.success(request, f"The connection {name} and its servers were removed.")
        return redirect("connections:list")
    return render(request, "connections/connection_delete.html", {"conn": conn})
