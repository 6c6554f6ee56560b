"""Teams and their members. Views record the audit entries.

An accepted invitation ends in `add_member(inviter, team, new_user, role)`, so the same
rules apply (the inviter must manage the team; the role is checked here; a team's members
belong to the team's customer, or are all reseller staff).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from panel.grants.access import is_customer_admin, is_panel_admin, manages_customer

from .access import may_create_teams, may_delete, may_manage
from .models import Membership, Team


def create_team(actor, name: str, description: str = "", customer=None) -> Team:
    """A customer's admin creates teams of their own customer only; staff limited to
    chosen customers, of one of those."""
    if not may_create_teams(actor):
        raise PermissionDenied("Only panel admins and customer admins can create teams.")
    if is_customer_admin(actor):
        customer = actor.customer
    elif not is_panel_admin(actor) and not manages_customer(actor, getattr(customer, "pk", None)):
        raise PermissionDenied("Staff limited to customers create teams of those customers.")
    return Team.objects.create(
        name=name, description=description, customer=customer, created_by=actor
    )


def delete_team(actor, team: Team) -> None:
    """Members lose the team's access on their next request (its grants go with it)."""
    if not may_delete(actor, team):
        raise PermissionDenied("Only panel admins and customer admins can delete teams.")
    team.delete()


@transaction.atomic
def add_member(actor, team: Team, user, role: str = Membership.Role.MEMBER) -> Membership:
    """Add an existing user (or change their role if already a member)."""
    if not may_manage(actor, team):
        raise PermissionDenied("Only panel admins and the team's managers can add members.")
    if user.customer_id != team.customer_id:
        raise PermissionDenied("A team's members belong to its customer (or are all staff).")
    if role not in Membership.Role.values:
        raise ValueError(f"Unknown role {role!r}")
    membership, _ = Membership.objects.update_or_create(
        team=team, user=user, defaults={"role": role, "added_by": actor}
    )
    return membership


def set_role(actor, membership: Membership, role: str) -> Membership:
    if not may_manage(actor, membership.team):
        raise PermissionDenied("Only panel admins and the team's managers can change roles.")
    if role not in Membership.Role.values:
        raise ValueError(f"Unknown role {role!r}")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def remove_member(actor, membership: Membership) -> None:
    """The user loses the team's access on their very next request."""
    if not may_manage(actor, membership.team):
        raise PermissionDenied("Only panel admins and the team's managers can remove members.")
    membership.delete()
