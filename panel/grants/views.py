from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from panel.accounts.decorators import admin_required
from panel.audit.log import record

from . import services
from .forms import GrantForm
from .models import Grant


def _about(user, keys) -> dict:
    return {"user": user.username, "keys": ", ".join(keys)}


@admin_required
@require_http_methods(["GET", "POST"])
def user_grants(request, user_id: int):
    user = get_object_or_404(get_user_model(), pk=user_id)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        keys = form.cleaned_data["granted_keys"]
        try:
            connection = form.cleaned_data["connection"]
            if connection:
                services.grant(request.user, user, keys, connection=connection)
                record(
                    "grant.create",
                    request=request,
                    connection=connection,
                    details=_about(user, keys),
                )
            for server in form.cleaned_data["servers"]:
                services.grant(request.user, user, keys, server=server)
                record("grant.create", request=request, server=server, details=_about(user, keys))
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{user.username}'s access was updated.")
            return redirect("grants:user", user_id=user.pk)
    grants = (
        Grant.objects.filter(user=user)
        .select_related("server", "server__connection", "connection")
        .order_by("connection__name", "server__display_name")
    )
    context = {"subject": user, "grants": grants, "form": form}
    return render(request, "grants/user_grants.html", context)


@admin_required
@require_POST
def grant_revoke(request, pk: int):
    grant = get_object_or_404(Grant.objects.select_related("server", "connection"), pk=pk)
    services.revoke(request.user, grant)
    scope = {"server": grant.server} if grant.server_id else {"connection": grant.connection}
    record("grant.revoke", request=request, details=_about(grant.user, grant.keys), **scope)
    messages.success(request, "The access was removed.")
    return redirect("grants:user", user_id=grant.user_id)
