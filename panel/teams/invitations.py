"""Invitations by e-mail into a team. Views record the audit entries.

    invite(request, team, email, role)  a pending invitation, its link e-mailed
    revoke(actor, invitation)           the link stops working
    find(request, token)                the invitation of a link's token (counts misses)
    problem(invitation)                 why it cannot be accepted, or ""
    accept(invitation, form)            the new user, a member of the team

The link carries a random token (256 bits); only its SHA-256 is stored, so neither the
database nor the audit log can open it. A token that random needs no slow hash, and
looking its hash up in the database compares nothing byte by byte in Python.

Acceptance ends in teams.services.add_member with the inviter as the actor: an inviter
who no longer manages the team (or lost their login) cannot bring anyone in any more.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from panel.accounts.throttle import client_address
from panel.branding import mail
from panel.branding.services import brand_for, brand_for_customer
from panel.branding.whitelabel import white_label_for

from .access import may_make_customer_admin, may_manage
from .models import Invitation, Membership, Team
from .services import add_member

logger = logging.getLogger(__name__)

# Links that lead nowhere, per client address and hour, before the address is refused
# for the rest of that hour. Guessing a token is hopeless anyway; this keeps it quiet.
MISSES_ALLOWED = 10
MISS_WINDOW = 3600


class Throttled(Exception):
    """Too many links that lead nowhere from this address (see find())."""


class Closed(Exception):
    """The invitation cannot be accepted (any more); `reason` as problem() says it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pending(team: Team):
    return team.invitations.pending().select_related("invited_by")


def invite(
    request, team: Team, email: str, role: str, *, customer_admin: bool = False
) -> Invitation:
    """Invite `email` into `team` as `role`, by an e-mail in the brand of the team's
    customer (a staff team: of this request's host) with a link on that brand's host name
    or PANEL_BASE_URL. OSError if the e-mail could not be sent: then no invitation is left
    behind (nobody has its link)."""
    actor = request.user
    if not may_manage(actor, team):
        raise PermissionDenied("Only panel admins and the team's managers can invite.")
    if role not in Membership.Role.values:
        raise ValueError(f"Unknown role {role!r}")
    if customer_admin and not may_make_customer_admin(actor, team):
        raise PermissionDenied("Only panel and customer admins make customer admins.")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        team=team,
        email=email,
        role=role,
        customer_admin=customer_admin,
        token_hash=token_hash(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.PANEL_INVITATION_DAYS),
    )
    brand = brand_for_customer(team.customer) or brand_for(request)
    link = brand.link(f"{reverse('teams:join')}?{urlencode({'token': token})}")
    context = {"invitation": invitation, "inviter": actor, "link": link}
    try:
        mail.send(
            brand,
            email,
            "teams/invitation_email_subject.txt",
            "teams/invitation_email_body.txt",
            context,
            # No login yet, so no billing.view: white-labelled unless the brand shows
            # the provider.
            white_label=white_label_for(None, brand),
        )
    except OSError:
        invitation.delete()
        raise
    return invitation


def revoke(actor, invitation: Invitation) -> None:
    if not may_manage(actor, invitation.team):
        raise PermissionDenied("Only panel admins and the team's managers can revoke.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


def _misses_key(request) -> str:
    return f"teams:invitation-misses:{client_address(request)}"


def _throttled(request) -> bool:
    """This address opened too many links that lead nowhere within the hour."""
    try:
        return (cache.get(_misses_key(request)) or 0) >= MISSES_ALLOWED
    except Exception as error:  # Redis down: the token's randomness is the guard
        logger.warning("invitations: the cache does not answer (%r); not throttled", error)
        return False


def find(request, token: str) -> Invitation | None:
    """The invitation whose link carries `token` (in any state), or None, which counts
    against the client's address. Throttled when that address opened too many links that
    lead nowhere within the hour, unless this one is a pending invitation's: a valid link
    always goes through, whatever was guessed from the same address (a shared office)."""
    invitation = Invitation.objects.filter(token_hash=token_hash(token)).first()
    if invitation is not None and invitation.state == "pending":
        return invitation
    if _throttled(request):
        raise Throttled
    if invitation is None:
        key = _misses_key(request)
        try:
            cache.add(key, 0, timeout=MISS_WINDOW)
            cache.incr(key)
        except Exception as error:
            logger.warning("invitations: the cache does not answer (%r); miss not counted", error)
    return invitation


def problem(invitation: Invitation | None) -> str:
    """Why this invitation cannot be accepted: unknown, accepted, revoked, expired or
    inviter (who can no longer add people to the team); "" when it can."""
    if invitation is None:
        return "unknown"
    if invitation.state != "pending":
        return invitation.state
    if not may_manage(invitation.invited_by, invitation.team):
        return "inviter"
    return ""


def accept(invitation: Invitation, form):
    """Create the user of `form` (a JoinForm) and add them to the team, once: two tabs
    sending the form at the same moment make one user, the other gets Closed."""
    with transaction.atomic():
        # of=self: invited_by is a nullable join, which PostgreSQL cannot lock.
        locked = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("team", "invited_by")
            .get(pk=invitation.pk)
        )
        reason = problem(locked)
        if reason:
            raise Closed(reason)
        user = form.save()
        add_member(locked.invited_by, locked.team, user, locked.role)
        locked.accepted_at = timezone.now()
        locked.save(update_fields=["accepted_at"])
    return user
