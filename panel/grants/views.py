"""Access pages: a user's access (admins), editing and removing one grant (admins, and a
team's managers for the team's grants), the server picker, and ending a user's sessions.

A team's access is given on the team's page (panel.teams.views) through `give_access`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from panel.accounts.decorators import admin_required
from panel.audit.log import record
from panel.core.htmx import render_page
from panel.core.ids import parse_id
from panel.teams.access import manager_or_admin_required

from . import services, sessions
from .access import grantable_servers, is_panel_admin
from .forms import GrantForm
from .models import Grant
from .permissions import grouped, summary

PICKER_SIZE = 20


def _details(subject, keys, expires_at=None) -> dict:
    from panel.teams.models import Team

    who = {"team": subject.name} if isinstance(subject, Team) else {"user": subject.username}
    details = {**who, "keys": ", ".join(keys)}
    if expires_at is not None:
        details["ends"] = expires_at.isoformat()
    return details


def subject_url(subject) -> str:
    from django.urls import reverse

    from panel.teams.models import Team

    if isinstance(subject, Team):
        return reverse("teams:detail", args=[subject.pk])
    return reverse("grants:user", args=[subject.pk])


def give_access(request, subject, form: GrantForm) -> bool:
    """Give `subject` what a valid GrantForm says, audit it; False (with the reason on the
    form) when the granter may not."""
    keys = form.cleaned_data["granted_keys"]
    expires_at = form.cleaned_data["expires_at"]
    scopes = []
    if form.cleaned_data.get("connection"):
        scopes.append({"connection": form.cleaned_data["connection"]})
    scopes += [{"server": server} for server in form.cleaned_data.get("servers") or []]
    try:
        with transaction.atomic():  # all the servers picked, or none
            for scope in scopes:
                services.grant(request.user, subject, keys, expires_at=expires_at, **scope)
    except PermissionDenied as error:
        form.add_error(None, str(error))
        return False
    details = _details(subject, keys, expires_at)
    for scope in scopes:
        record("grant.create", request=request, details=details, **scope)
    return True


def describe(grant: Grant) -> Grant:
    """The grant with what the templates show: its permissions grouped in plain words."""
    grant.groups = grouped(grant.keys)
    grant.summary = summary(grant.keys)
    return grant


def grant_rows(queryset) -> list[Grant]:
    related = ("server", "server__connection", "connection", "team", "user")
    return [describe(grant) for grant in queryset.select_related(*related)]


@admin_required
@require_http_methods(["GET", "POST"])
def user_grants(request, user_id: int):
    user = get_object_or_404(get_user_model(), pk=user_id)
    subject_is_admin = user.is_panel_admin or user.is_superuser
    form = None
    if not subject_is_admin:
        form = GrantForm(request.POST or None, granter=request.user)
        if request.method == "POST" and form.is_valid() and give_access(request, user, form):
            messages.success(request, _("%(name)s's access was updated.") % {"name": user.username})
            return redirect("grants:user", user_id=user.pk)
    elif request.method == "POST":
        messages.info(
            request,
            _("%(name)s is a panel admin: there is nothing to give.") % {"name": user.username},
        )
        return redirect("grants:user", user_id=user.pk)
    own = Grant.objects.filter(user=user).order_by("connection__name", "server__display_name")
    memberships = list(user.memberships.select_related("team").order_by("team__name"))
    through_teams = Grant.objects.filter(team__memberships__user=user).order_by(
        "team__name", "connection__name", "server__display_name"
    )
    context = {
        "subject": user,
        "subject_is_admin": subject_is_admin,
        "grants": grant_rows(own),
        "memberships": memberships,
        "team_grants": grant_rows(through_teams),
        "form": form,
        "picker": picker_context(request, request.user, user) if form else None,
    }
    return render(request, "grants/user_grants.html", context)


def _grant_for(request, pk) -> Grant:
    """A grant the requester may change: admins any (404 if missing), a team's managers
    their team's (anyone else 403, whether it exists or not)."""
    grant = (
        Grant.objects.select_related("server", "server__connection", "connection", "team", "user")
        .filter(pk=pk)
        .first()
    )
    if grant is None and is_panel_admin(request.user):
        raise Http404("No such access.")
    if grant is None or not services.may_give(request.user, grant.subject):
        raise PermissionDenied("Only panel admins and a team's managers can change access.")
    return grant


@require_http_methods(["GET", "POST"])
def grant_edit(request, pk: int):
    grant = _grant_for(request, pk)
    form = GrantForm(request.POST or None, granter=request.user, grant=grant)
    if request.method == "POST" and form.is_valid():
        keys, expires_at = form.cleaned_data["granted_keys"], form.cleaned_data["expires_at"]
        try:
            services.update(request.user, grant, keys, expires_at=expires_at)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            details = _details(grant.subject, grant.keys, expires_at)
            record("grant.update", request=request, details=details, **grant.scope)
            messages.success(request, _("The access was changed."))
            return redirect(subject_url(grant.subject))
    describe(grant)
    context = {"grant": grant, "form": form, "back": subject_url(grant.subject)}
    return render(request, "grants/grant_edit.html", context)


@require_http_methods(["GET", "POST"])
def grant_revoke(request, pk: int):
    """GET: the question (without JavaScript; with it, a dialog asks); POST: remove."""
    grant = _grant_for(request, pk)
    back = subject_url(grant.subject)
    if request.method == "POST":
        try:
            services.revoke(request.user, grant)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect(back)
        record(
            "grant.revoke",
            request=request,
            details=_details(grant.subject, grant.keys, grant.expires_at),
            **grant.scope,
        )
        messages.success(request, _("The access was removed."))
        return redirect(back)
    describe(grant)
    return render(request, "grants/grant_revoke.html", {"grant": grant, "back": back})


def _picker_subject(request, requester):
    """The user or team named by ?for=user:ID / team:ID, if the requester may give it
    access (else 403); None when not named."""
    from panel.teams.models import Team

    kind, _sep, text = request.GET.get("for", "").partition(":")
    model = {"user": get_user_model(), "team": Team}.get(kind)
    pk = parse_id(text)
    if model is None or pk is None:
        return None
    subject = model.objects.filter(pk=pk).first()
    if subject is None or not services.may_give(requester, subject):
        raise PermissionDenied("You cannot give access to them.")
    return subject


def picker_context(request, requester, subject, data=None) -> dict:
    """The servers to show in the picker: those ticked (kept ticked), then up to
    PICKER_SIZE matching the search, each marked if `subject` has access to it already.
    Two or three small queries, however many servers there are."""
    data = request.GET if data is None else data
    query = (data.get("q") or "").strip()[:100]
    servers = grantable_servers(requester).select_related("connection", "customer")
    if subject is not None and subject.customer_id is not None:
        servers = servers.filter(customer_id=subject.customer_id)  # nothing else counts
    if subject is not None:
        field = "team" if subject.__class__.__name__ == "Team" else "user"
        mine = Grant.objects.filter(**{field: subject})
        servers = servers.annotate(
            has_access=Exists(mine.filter(server=OuterRef("pk")))
            | Exists(mine.filter(connection=OuterRef("connection_id")))
        )
    ticked_ids = [pk for pk in map(parse_id, data.getlist("servers")) if pk is not None][:100]
    ticked = list(servers.filter(pk__in=ticked_ids).order_by("connection__name", "display_name"))
    matching = servers.exclude(pk__in=[row.pk for row in ticked])
    if query:
        match = (
            Q(display_name__icontains=query)
            | Q(name__icontains=query)
            | Q(hostname__icontains=query)
            | Q(ips__icontains=query)
            | Q(connection__name__icontains=query)
        )
        if (srv_id := parse_id(query)) is not None:
            match |= Q(srv_id=srv_id)
        matching = matching.filter(match)
    page = Paginator(matching.order_by("connection__name", "display_name", "pk"), PICKER_SIZE)
    return {
        "ticked": ticked,
        "results": list(page.page(1).object_list) if page.count else [],
        "total": page.count,
        "limit": PICKER_SIZE,
        "q": query,
        "for": _for(subject),
    }


def _for(subject) -> str:
    if subject is None:
        return ""
    return f"{'team' if subject.__class__.__name__ == 'Team' else 'user'}:{subject.pk}"


@manager_or_admin_required
@require_GET
def server_picker(request):
    """The picker's list, for htmx (the access pages render it in place the first time).
    Admins and team managers only; the servers are those the requester may give."""
    subject = _picker_subject(request, request.user)
    context = {"picker": picker_context(request, request.user, subject)}
    return render_page(request, "grants/server_picker.html", "server-results", context)


@admin_required
@require_http_methods(["GET", "POST"])
def end_sessions(request, user_id: int):
    """GET: the question; POST: log the user out everywhere (an admin ending their own
    keeps the session they click from)."""
    user = get_object_or_404(get_user_model(), pk=user_id)
    if request.method == "POST":
        keep = request.session.session_key if user == request.user else None
        ended = sessions.end_all(user, keep=keep)
        details = {"user": user.username, "ended": ended}
        record("user.sessions_end", request=request, details=details)
        text = ngettext(
            "%(name)s was logged out everywhere (%(count)d session).",
            "%(name)s was logged out everywhere (%(count)d sessions).",
            ended,
        )
        messages.success(request, text % {"name": user.username, "count": ended})
        return redirect("grants:user", user_id=user.pk)
    return render(request, "grants/end_sessions.html", {"subject": user})
