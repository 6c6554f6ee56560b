"""Who may manage a team: panel admins (every team), whoever runs a customer (its customer
admins and the staff limited to it: every team of that customer, and they create and delete
them) and the team's managers (their own).

Not a way to servers: what a member may do on a server is the grants' business, read
through panel.grants.access only.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from panel.grants.access import (
    _may_hold_grants,
    is_account_manager,
    is_customer_admin,
    is_panel_admin,
    managed_customer_ids,
    manages_customer,
)

from .models import Membership, Team


def may_make_customer_admin(user, team) -> bool:
    """Whether `user` may invite someone into `team` as an admin of the team's customer."""
    return manages_customer(user, team.customer_id)


def may_create_teams(user) -> bool:
    return is_panel_admin(user) or is_customer_admin(user) or is_account_manager(user)


def may_delete(user, team) -> bool:
    """Panel admins, and whoever runs the team's customer (not a plain team manager)."""
    return is_panel_admin(user) or manages_customer(user, team.customer_id)


def managed_teams(user) -> QuerySet:
    """The teams this user may manage."""
    if is_panel_admin(user):
        return Team.objects.all()
    if not _may_hold_grants(user):
        return Team.objects.none()
    managed = Membership.objects.filter(user=user, role=Membership.Role.MANAGER)
    teams = Q(pk__in=managed.values("team_id"))
    teams |= Q(customer_id__in=managed_customer_ids(user))
    return Team.objects.filter(teams)


def may_manage(user, team) -> bool:
    if team is None:
        return False
    return is_panel_admin(user) or managed_teams(user).filter(pk=team.pk).exists()


def get_team_for_user(user, pk) -> Team:
    """The team with this pk if the user may manage it. Anyone else gets a 403 whether the
    team exists or not (an admin asking for a missing one, a 404)."""
    if is_panel_admin(user):
        try:
            return Team.objects.get(pk=pk)
        except (ValueError, TypeError, Team.DoesNotExist):
            raise Http404("No such team.") from None
    try:
        return managed_teams(user).get(pk=pk)
    except (ValueError, TypeError, Team.DoesNotExist):
        raise PermissionDenied("Only panel admins and the team's managers can open this.") from None


def manager_or_admin_required(view):
    """Panel admins, customer admins and anyone who manages a team; everyone else a 403
    (before the method check, so a POST to a GET-only page says the same)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not (may_create_teams(user) or managed_teams(user).exists()):
            raise PermissionDenied("Only panel admins and team managers can open this page.")
        return view(request, *args, **kwargs)

    return wrapped


def team_view(view):
    """For /teams/<team_id>/... views: the team (from get_team_for_user, so 403/404 before
    the method check) is passed as `team` instead of `team_id`."""

    @wraps(view)
    def wrapped(request, *args, team_id, **kwargs):
        return view(request, *args, team=get_team_for_user(request.user, team_id), **kwargs)

    return wrapped
