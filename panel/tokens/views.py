"""The API tokens page (every logged-in user): their tokens, Create token (in sudo mode;
the token is shown once, on the answer to the form, never stored or cached), and Revoke
(asked first). Panel admins also see and make application tokens here, and see (and may
revoke) everyone's."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from panel.accounts.sudo import sudo_required
from panel.commands.web import actor
from panel.core.htmx import render_page
from panel.core.ids import parse_id
from panel.grants.views import picker_context

from . import services
from .forms import TokenForm
from .scopes import SCOPES


def _describe(token):
    """The token with what the page shows: its scopes in plain words."""
    token.scope_labels = [SCOPES[name].label for name in token.scopes if name in SCOPES]
    return token


@require_GET
def token_list(request):
    tokens = [_describe(token) for token in services.visible_tokens(request.user)]
    mine = request.user.pk
    context = {
        "personal": [token for token in tokens if token.owner_id == mine],
        "application": [token for token in tokens if token.is_application],
        "others": [t for t in tokens if t.owner_id is not None and t.owner_id != mine],
    }
    return render(request, "tokens/token_list.html", context)


@require_http_methods(["GET", "POST"])
@sudo_required
@never_cache
def token_create(request):
    form = TokenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, secret = services.create(
            actor(request),
            name=data["name"],
            application=data["application"],
            scopes=data["scopes"],
            servers=data["servers"] or (),
            expires_at=data["expires_at"],
            allowed_ips=data["allowed_ips"],
        )
        # The one time the token is shown: this answer, never stored (no-store), no redirect.
        context = {
            "token": _describe(token),
            "secret": secret,
            "api_servers_url": request.build_absolute_uri(reverse("api:servers")),
        }
        return render(request, "tokens/token_created.html", context)
    data = request.POST if request.method == "POST" else request.GET
    context = {
        "form": form,
        "picker": picker_context(request, request.user, None, data=data),
        "picker_url": reverse("tokens:server_picker"),
    }
    status = 400 if form.is_bound else 200
    return render(request, "tokens/token_form.html", context, status=status)


@require_GET
def server_picker(request):
    """The picker's list for htmx: the servers the user sees."""
    context = {"picker": picker_context(request, request.user, None)}
    return render_page(request, "grants/server_picker.html", "server-results", context)


@require_http_methods(["GET", "POST"])
def token_revoke(request, token_id: int):
    """GET: the question (without JavaScript; with it, a dialog asks); POST: revoke."""
    token = services.visible_tokens(request.user).filter(pk=parse_id(token_id) or 0).first()
    if token is None or not services.may_revoke(request.user, token):
        raise Http404("No such token.")
    if request.method == "POST":
        services.revoke(actor(request), token)
        messages.success(
            request,
            _("The token “%(name)s” was revoked: it no longer works.") % {"name": token.name},
        )
        return redirect("tokens:list")
    return render(request, "tokens/token_revoke.html", {"token": _describe(token)})
