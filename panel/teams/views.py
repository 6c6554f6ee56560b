"""Team pages: the list and creation (admins), each team's page with its members, its
invitations and its access (admins, and the team's managers), and the page an invitation
leads to (anyone with its link)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from panel.accounts import login_steps
from panel.audit.log import record
from panel.core.templatetags.panel import when
from panel.customers.models import Customer
from panel.grants.access import is_customer_admin, is_panel_admin, managed_customer_ids
from panel.grants.forms import GrantForm
from panel.grants.models import Grant
from panel.grants.views import give_access, grant_rows, picker_context

from . import invitations, services
from .access import (
    managed_teams,
    manager_or_admin_required,
    may_create_teams,
    may_delete,
    may_make_customer_admin,
    team_view,
)
from .forms import InvitationForm, JoinForm, MemberForm, RoleForm, TeamForm
from .models import Invitation, Membership, Team

logger = logging.getLogger(__name__)


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
    context = {"teams": teams, "admin": admin, "may_create": may_create_teams(request.user)}
    return render(request, "teams/team_list.html", context)


@require_http_methods(["GET", "POST"])
def team_create(request):
    if not may_create_teams(request.user):
        raise PermissionDenied("Only panel admins and customer admins can create teams.")
    user = request.user
    if is_panel_admin(user):
        form = TeamForm(request.POST or None, customers=Customer.objects.all())
    elif is_customer_admin(user):
        form = TeamForm(request.POST or None, customer=user.customer)
    else:  # staff limited to chosen customers
        customers = Customer.objects.filter(pk__in=managed_customer_ids(user))
        form = TeamForm(request.POST or None, customers=customers, staff_team=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = services.create_team(
            request.user, data["name"], data["description"], data.get("customer")
        )
        record("team.create", request=request, details={"team": team.name})
        messages.success(
            request, _("Team %(team)s was created. Add its members next.") % {"team": team.name}
        )
        return redirect("teams:detail", team_id=team.pk)
    return render(request, "teams/team_create.html", {"form": form})


def _members_context(request, team, form=None, notice="") -> dict:
    return {
        "team": team,
        "memberships": team.memberships.select_related("user").order_by("user__username"),
        "member_form": form or MemberForm(team=team),
        "admin": is_panel_admin(request.user),
        "may_delete": may_delete(request.user, team),
        "roles": Membership.Role.choices,
        "notice": notice,
    }


def _invitation_form(request, team, data=None) -> InvitationForm:
    return InvitationForm(
        data, team=team, may_make_customer_admin=may_make_customer_admin(request.user, team)
    )


def _invitations_context(request, team, form=None, notice="") -> dict:
    return {
        "team": team,
        "invitations": invitations.pending(team),
        "invite_form": form or _invitation_form(request, team),
        "invitation_notice": notice,
        "invitation_days": settings.PANEL_INVITATION_DAYS,
    }


# The sections of a team's page that htmx swaps on their own, and their context.
SECTIONS = {"members": _members_context, "invitations": _invitations_context}


def _page(request, team, *, section="", form=None, grant_form=None):
    """The whole page; a refused `form` goes to its `section`, with its errors."""
    grants = Grant.objects.filter(team=team).order_by("connection__name", "server__display_name")
    context = {
        "form": grant_form or GrantForm(granter=request.user),
        "picker": picker_context(request, request.user, team, data=request.POST or None),
        "grants": grant_rows(grants),
    }
    for name, build in SECTIONS.items():
        context.update(build(request, team, form if name == section else None))
    return render(request, "teams/team_detail.html", context)


def _refused(request, team, section: str, form):
    """A refused form: its section with the errors (htmx) or the page again."""
    if request.htmx:
        context = SECTIONS[section](request, team, form)
        return render(request, f"teams/team_detail.html#{section}", context, status=422)
    return _page(request, team, section=section, form=form)


def _changed(request, team, section: str, notice: str):
    """After a change in a section: that section (htmx) or the page again."""
    if request.htmx:
        context = SECTIONS[section](request, team, notice=notice)
        return render(request, f"teams/team_detail.html#{section}", context)
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
            messages.success(
                request, _("Team %(team)s's access was updated.") % {"team": team.name}
            )
            return redirect("teams:detail", team_id=team.pk)
        return _page(request, team, grant_form=form)
    return _page(request, team)


@team_view
@require_POST
def member_add(request, team: Team):
    form = MemberForm(request.POST, team=team)
    if not form.is_valid():
        return _refused(request, team, "members", form)
    user, role = form.cleaned_data["user"], form.cleaned_data["role"]
    services.add_member(request.user, team, user, role)
    record(
        "team.member_add",
        request=request,
        details={"team": team.name, "user": user.username, "role": role},
    )
    notice = _("%(username)s is now in team %(team)s.") % {
        "username": user.username,
        "team": team.name,
    }
    return _changed(request, team, "members", notice)


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
        if membership.is_manager:
            notice = _("%(username)s is now team manager.")
        else:
            notice = _("%(username)s is now a member.")
        notice = notice % {"username": membership.user.username}
    return _changed(request, team, "members", notice)


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
        notice = _("%(username)s was removed from %(team)s.") % {
            "username": membership.user.username,
            "team": team.name,
        }
        if membership.user == request.user and not is_panel_admin(request.user):
            messages.success(request, notice)  # no longer theirs to manage
            if request.htmx:
                return HttpResponseClientRedirect(reverse("servers:list"))
            return redirect("servers:list")
        return _changed(request, team, "members", notice)
    return render(request, "teams/member_remove.html", {"team": team, "membership": membership})


@team_view
@require_http_methods(["GET", "POST"])
def team_delete(request, team: Team):
    if not may_delete(request.user, team):
        raise PermissionDenied("Only panel admins and customer admins can delete teams.")
    if request.method == "POST":
        name = team.name
        services.delete_team(request.user, team)
        record("team.delete", request=request, details={"team": name})
        messages.success(
            request, _("Team %(team)s was deleted; its members lost its access.") % {"team": name}
        )
        return redirect("teams:list")
    return render(request, "teams/team_delete.html", {"team": team})


# --- Invitations ------------------------------------------------------------------------------


@team_view
@require_POST
def invite(request, team: Team):
    form = _invitation_form(request, team, request.POST)
    if not form.is_valid():
        return _refused(request, team, "invitations", form)
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    customer_admin = form.cleaned_data.get("customer_admin", False)
    try:
        invitation = invitations.invite(request, team, email, role, customer_admin=customer_admin)
    except OSError as error:
        logger.warning("team %s: the invitation e-mail could not be sent: %r", team.pk, error)
        form.add_error(
            None,
            _(
                "The e-mail could not be sent, so nobody was invited. Try again in a while; "
                "if it keeps failing, the panel's e-mail settings need a look."
            ),
        )
        return _refused(request, team, "invitations", form)
    record(
        "invitation.create",
        request=request,
        details={
            "team": team.name,
            "e-mail": email,
            "role": role,
            **({"customer admin": True} if customer_admin else {}),
        },
    )
    notice = _("%(email)s is invited. The link in the e-mail works once, until %(time)s.") % {
        "email": email,
        "time": when(invitation.expires_at),
    }
    return _changed(request, team, "invitations", notice)


@team_view
@require_http_methods(["GET", "POST"])
def invitation_revoke(request, team: Team, invitation_id: int):
    """GET: the question (a dialog asks with JavaScript); POST: the link stops working."""
    invitation = get_object_or_404(invitations.pending(team), pk=invitation_id)
    if request.method == "POST":
        invitations.revoke(request.user, invitation)
        record(
            "invitation.revoke",
            request=request,
            details={"team": team.name, "e-mail": invitation.email},
        )
        notice = _("The invitation to %(email)s was revoked: its link no longer works.") % {
            "email": invitation.email
        }
        return _changed(request, team, "invitations", notice)
    context = {"team": team, "invitation": invitation}
    return render(request, "teams/invitation_revoke.html", context)


# Which invitation this browser's link led to (its pk: the token is in no session).
JOIN_SESSION_KEY = "teams.invitation"


def _join_problem(request, reason: str, invitation=None, status=200):
    context = {"reason": reason, "invitation": invitation}
    return render(request, "teams/join_problem.html", context, status=status)


@login_not_required
@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def join(request):
    """Where an invitation's link leads: choose a username and a password, and join the
    team. A used, revoked or expired link gets a page that says so, in plain words.

    Someone logged in is asked to log out first: the invitation makes a new login, and
    joining their own account to a team is for a team manager to do (Add a member)."""
    if "token" in request.GET:
        # The link from the e-mail: remember its invitation, and take the token out of the
        # address bar, the history, Referer headers and every later log line.
        try:
            invitation = invitations.find(request, request.GET["token"])
        except invitations.Throttled:
            return _join_problem(request, "throttled", status=429)
        request.session[JOIN_SESSION_KEY] = invitation.pk if invitation else None
        return redirect("teams:join")
    invitation = (
        Invitation.objects.select_related("team", "invited_by")
        .filter(pk=request.session.get(JOIN_SESSION_KEY))
        .first()
    )
    reason = invitations.problem(invitation)
    if reason:
        return _join_problem(request, reason, invitation)
    if request.user.is_authenticated:
        return _join_problem(request, "logged_in", invitation)
    form = JoinForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept(invitation, form)
        except invitations.Closed as closed:  # in the meantime, e.g. from another tab
            return _join_problem(request, closed.reason, invitation)
        # The one way a login completes (the device cookie, sudo mode): as after a form login.
        response = login_steps.finish(request, user, settings.LOGIN_REDIRECT_URL)
        del request.session[JOIN_SESSION_KEY]
        record(
            "invitation.accept",
            request=request,
            details={
                "team": invitation.team.name,
                "e-mail": invitation.email,
                "role": invitation.role,
                "invited by": invitation.invited_by.username,
            },
        )
        messages.success(
            request, _("Welcome! You are in team %(team)s.") % {"team": invitation.team.name}
        )
        # Where every login lands (and where a required two-factor enrolment begins).
        return response
    return render(request, "teams/join.html", {"form": form, "invitation": invitation})
