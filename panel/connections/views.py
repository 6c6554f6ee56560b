import time

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from panel.accounts.decorators import admin_required
from panel.accounts.sudo import sudo_required
from panel.audit.log import record
from panel.audit.models import AuditEntry
from panel.core import crypto
from panel.servers import mirror

from . import services
from .errors import ConnectionProblem
from .forms import AddCodeForm, ConnectionAddForm, PasswordUpdateForm, ReauthForm
from .models import Connection

# A 2FA account's add waits for its code this long; the password waits in the session,
# encrypted like every stored secret.
PENDING_KEY = "connections:pending-add"
PENDING_MAX_AGE = 10 * 60


def _add_problem(form, problem: ConnectionProblem) -> None:
    form.add_error(problem.field if problem.field in form.fields else None, problem.message)


@admin_required
def connection_list(request):
    connections = Connection.objects.with_server_counts()
    return render(request, "connections/connection_list.html", {"connections": connections})


def _facts(conn: Connection) -> dict:
    """What the audit log keeps about a connection (never its password or token)."""
    return {"name": conn.name, "api": conn.base_url}


def _added(request, conn: Connection):
    mirror.refresh_connection(conn, force=True)
    record("connection.add", request=request, connection=conn, details=_facts(conn))
    messages.success(request, f"Connected to Terrahost as {conn.username}.")
    return redirect("connections:detail", pk=conn.pk)


def _pending(request) -> dict | None:
    pending = request.session.get(PENDING_KEY)
    if pending and time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        request.session.pop(PENDING_KEY, None)
        return None
    return pending


@sensitive_variables("new")
def _keep_pending(request, new: services.NewConnection) -> None:
    request.session[PENDING_KEY] = {
        "name": new.name,
        "username": new.username,
        "base_url": new.base_url,
        "password": crypto.encrypt(new.password),
        "at": time.time(),
    }


@sensitive_post_parameters("password", "code")
@admin_required
@require_http_methods(["GET", "POST"])
@sudo_required
@sensitive_variables("data", "new")
def connection_add(request):
    """Connect a Terrahost account. When Terrahost asks for a 2FA code, the page asks for
    only the code next (the password waits in the session, encrypted) until it is given
    or the admin cancels."""
    pending = _pending(request)
    if pending and (request.method == "GET" or request.POST.get("step") == "code"):
        return _add_code_step(request, pending)
    if not pending and request.POST.get("step") == "code":
        messages.info(request, "That took too long: please enter the account details again.")
        return redirect("connections:add")
    request.session.pop(PENDING_KEY, None)  # a new first step replaces an old one
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
        except ConnectionProblem as problem:
            if problem.code != "code_needed" or data["code"]:
                _add_problem(form, problem)
            else:
                _keep_pending(request, new)
                return _render_code_step(request, request.session[PENDING_KEY], AddCodeForm())
        else:
            return _added(request, conn)
    return render(request, "connections/connection_add.html", {"form": form})


@sensitive_variables("pending", "new")
def _add_code_step(request, pending: dict):
    if request.method == "POST" and request.POST.get("action") == "cancel":
        request.session.pop(PENDING_KEY, None)
        messages.info(request, "The connection was not added.")
        return redirect("connections:add")
    form = AddCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            password = crypto.decrypt(pending["password"])
        except crypto.DecryptionError:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, "Please enter the account details again.")
            return redirect("connections:add")
        new = services.NewConnection(
            name=pending["name"],
            username=pending["username"],
            password=password,
            code=form.cleaned_data["code"],
            base_url=pending["base_url"],
            two_factor=True,  # this step exists because Terrahost asked for a code
        )
        try:
            conn = services.add_connection(new, created_by=request.user)
        except ConnectionProblem as problem:
            _add_problem(form, problem)
        else:
            request.session.pop(PENDING_KEY, None)
            return _added(request, conn)
    return _render_code_step(request, pending, form)


def _render_code_step(request, pending: dict, form):
    context = {
        "form": form,
        "pending": {key: pending[key] for key in ("name", "username", "base_url")},
    }
    return render(request, "connections/connection_add_code.html", context)


def _detail_page(request, pk: int, *, reauth_form=None, password_form=None, status=200):
    conn = get_object_or_404(Connection.objects.with_server_counts(), pk=pk)
    context = {
        "conn": conn,
        "reauth_form": reauth_form or ReauthForm(),
        "password_form": password_form or PasswordUpdateForm(),
    }
    return render(request, "connections/connection_detail.html", context, status=status)


@admin_required
def connection_detail(request, pk: int):
    return _detail_page(request, pk)


@sensitive_post_parameters("code")
@admin_required
@require_POST
@sudo_required
def connection_reauth(request, pk: int):
    conn = get_object_or_404(Connection, pk=pk)
    form = ReauthForm(request.POST)
    if form.is_valid():
        try:
            services.reauthenticate(conn, form.cleaned_data["code"])
        except ConnectionProblem as problem:
            _add_problem(form, problem)
        else:
            mirror.refresh_connection(conn, force=True)
            record("connection.reauth", request=request, connection=conn)
            messages.success(request, f"{conn.name} is connected again.")
            return redirect("connections:detail", pk=conn.pk)
    return _detail_page(request, pk, reauth_form=form, status=400)


@sensitive_post_parameters("password", "code")
@admin_required
@require_POST
@sudo_required
@sensitive_variables("form")
def connection_password(request, pk: int):
    conn = get_object_or_404(Connection, pk=pk)
    form = PasswordUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.update_password(conn, form.cleaned_data["password"], form.cleaned_data["code"])
        except ConnectionProblem as problem:
            _add_problem(form, problem)
        else:
            mirror.refresh_connection(conn, force=True)
            record("connection.password", request=request, connection=conn)
            messages.success(request, "The new password works and was saved.")
            return redirect("connections:detail", pk=conn.pk)
    return _detail_page(request, pk, password_form=form, status=400)


@admin_required
@require_POST
def connection_refresh(request, pk: int):
    conn = get_object_or_404(Connection, pk=pk)
    outcome = mirror.refresh_connection(conn, force=True)
    if outcome.error:
        messages.error(request, outcome.error)
    else:
        messages.success(request, "The server list was fetched again.")
    record(
        "connection.refresh",
        request=request,
        connection=conn,
        result=AuditEntry.Result.FAILED if outcome.error else AuditEntry.Result.OK,
        message=outcome.error,
    )
    return redirect("connections:detail", pk=conn.pk)


@admin_required
@require_http_methods(["GET", "POST"])
@sudo_required
def connection_delete(request, pk: int):
    conn = get_object_or_404(Connection.objects.with_server_counts(), pk=pk)
    if request.method == "POST":
        name = conn.name
        record("connection.delete", request=request, connection=conn, details=_facts(conn))
        conn.delete()
        messages.success(request, f"The connection {name} and its servers were removed.")
        return redirect("connections:list")
    return render(request, "connections/connection_delete.html", {"conn": conn})
