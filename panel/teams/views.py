"""Team pages: the list and creation (admins), and each team's page with its members and
its access (admins, and the team's managers)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from panel.accounts.decorators import admin_required
from panel.audit.log import record
from panel.grants.access import is_panel_admin
from panel.grants.forms import GrantForm
from panel.grants.models import Grant
from panel.grants.views import give_access, grant_rows, picker_context

from . import services
from .access import managed_teams, manager_or_admin_required, team_view
from .forms import MemberForm, RoleForm, TeamForm
from .models import Membership, Team


@manager_or_admin_required
@require_GET
def team_list(request):
    """Admins: every team. A team manager: the teams they manage. Anyone else: 403."""
    teams = managed_teams(request.user)
    admin = is_panel_admin(request.user)
    teams = teams.annotate(
        members=Count("memberships", distinct=True),
        managers=Count(
            "memberships", filter=Q(memberships__role=Membership.Role.MANAGER), distinct=True
        ),
        grant_count=Count("grants", distinct=True),
    )
    return render(request, "teams/team_list.html", {"teams": teams, "admin": admin})


@admin_required
@require_http_methods(["GET", "POST"])
def team_create(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = services.create_team(
            request.user, form.cleaned_data["name"], form.cleaned_data["description"]
        )
        record("team.create", request=request, details={"team": team.name})
        messages.success(request, f"Team {team.name} was created. Add its members next.")
        return redirect("teams:detail", team_id=team.pk)
    return render(request, "teams/team_create.html", {"form": form})


def _members_context(request, team, member_form=None, notice="") -> dict:
    return {
        "team": team,
        "memberships": team.memberships.select_related("user").order_by("user__username"),
        "member_form": member_form or MemberForm(team=team),
        "admin": is_panel_admin(request.user),
        "roles": Membership.Role.choices,
        "notice": notice,
    }


def _page(request, team, *, member_form=None, grant_form=None, status=200):
    grants = Grant.objects.filter(team=team).order_by("connection__name", "server__display_name")
    context = {
        **_members_context(request, team, member_form),
        "form": grant_form or GrantForm(granter=request.user),
        "picker": picker_context(request, request.user, team, data=request.POST or None),
        "grants": grant_rows(grants),
    }
    return render(request, "teams/team_detail.html", context, status=status)


def _members_changed(request, team, notice: str):
    """After a change to the members: their section (htmx) or the page again."""
    if request.htmx:
        context = _members_context(request, team, notice=notice)
        return render(request, "teams/team_detail.html#members", context)
    if notice:
        messages.success(request, notice)
    return redirect("teams:detail", team_id=team.pk)


@team_view
@require_http_methods(["GET", "POST"])
def team_detail(request, team: Team):
    """The team's members and access; a POST gives the team access."""
    if request.method == "POST":
        form = GrantForm(request.POST, granter=request.user)
        if form.is_valid() and give_access(request, team, form):
            messages.success(request, f"Team {team.name}'s access was updated.")
            return redirect("teams:detail", team_id=team.pk)
        return _page(request, team, grant_form=form)
    return _page(request, team)


@team_view
@require_POST
def member_add(request, team: Team):
    form = MemberForm(request.POST, team=team)
    if not form.is_valid():
        if request.htmx:
            context = _members_context(request, team, member_form=form)
            return render(request, "teams/team_detail.html#members", context, status=422)
        return _page(request, team, member_form=form)
    user, role = form.cleaned_data["user"], form.cleaned_data["role"]
    services.add_member(request.user, team, user, role)
    record(
        "team.member_add",
        request=request,
        details={"team": team.name, "user": user.username, "role": role},
    )
    return _members_changed(request, team, f"{user.username} is now in team {team.name}.")


def _membership(team, membership_id) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "team"), pk=membership_id, team=team
    )


@team_view
@require_POST
def member_role(request, team: Team, membership_id: int):
    membership = _membership(team, membership_id)
    form = RoleForm(request.POST)
    notice = ""
    if form.is_valid() and form.cleaned_data["role"] != membership.role:
        services.set_role(request.user, membership, form.cleaned_data["role"])
        record(
            "team.member_role",
            request=request,
            details={
                "team": team.name,
                "user": membership.user.username,
                "role": membership.role,
            },
        )
        role = membership.get_role_display().lower()
        notice = f"{membership.user.username} is now {role}."
    return _members_changed(request, team, notice)


@team_view
@require_http_methods(["GET", "POST"])
def member_remove(request, team: Team, membership_id: int):
    """GET: the question (a dialog asks with JavaScript); POST: remove. The user loses the
    team's access on their very next request."""
    membership = _membership(team, membership_id)
    if request.method == "POST":
        services.remove_member(request.user, membership)
        record(
            "team.member_remove",
            request=request,
            details={"team": team.name, "user": membership.user.username},
        )
        notice = f"{membership.user.username} was removed from {team.name}."
        if membership.user == request.user and not is_panel_admin(request.user):
            messages.success(request, notice)  # no longer theirs to manage
            if request.htmx:
                return HttpResponseClientRedirect(reverse("servers:list"))
            return redirect("servers:list")
        return _members_changed(request, team, notice)
    return render(request, "teams/member_remove.html", {"team": team, "membership": membership})


@admin_required
@team_view
@require_http_methods(["GET", "POST"])
def team_delete(request, team: Team):
    if request.method == "POST":
        name = team.name
        services.delete_team(request.user, team)
        record("team.delete", request=request, details={"team": name})
        messages.success(request, f"Team {name} was deleted; its members lost its access.")
        return redirect("teams:list")
    return render(request, "teams/team_delete.html", {"team": team})
