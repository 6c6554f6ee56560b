"""Writing the audit log: `record()` is the one way in.

    from panel.audit.log import record
    record("server.rename", actor=actor, server=row, details={"old": a, "new": b})

`actor` is a panel.core.actors.Actor (commands: it carries the kind, the origin, the
source address and user agent) or a user; for the events a view records itself (logins,
user administration), the actor, address and user agent come from `request`.
`details` must hold facts only, never secrets; it is masked once more here as a guard.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

from panel.accounts.throttle import client_address
from panel.core.actors import Actor
from terrahost_client._secrets import redact

from .models import AuditEntry

logger = logging.getLogger(__name__)

# What each action is called on the Activity tab and the audit page.
LABELS = {
    "auth.login": _("Logged in"),
    "auth.login_failed": _("Failed login"),
    "auth.logout": _("Logged out"),
    "auth.sign_in_link": _("Logged in with a one-time sign-in link"),
    "auth.sign_in_link_made": _("Made a one-time sign-in link"),
    "auth.password_change": _("Changed their password"),
    "auth.password_reset": _("Set a new password through a reset link"),
    "power.reboot": _("Reboot"),
    "power.on": _("Power on"),
    "power.off": _("Power off"),
    "console.open": _("Opened the console"),
    "server.rename": _("Rename"),
    "rdns.update": _("Reverse DNS change"),
    "connection.add": _("Added a connection"),
    "connection.reauth": _("Re-authenticated a connection"),
    "connection.password": _("Changed a connection's password"),
    "connection.refresh": _("Refreshed a connection's server list"),
    "connection.delete": _("Removed a connection"),
    "user.create": _("Created a user"),
    "user.update": _("Changed a user"),
    "user.disable": _("Disabled a user"),
    "user.enable": _("Enabled a user"),
    "user.password_reset_link": _("Gave a user a password reset link"),
    "user.delete": _("Deleted a user"),
    "user.2fa_reset": _("Turned off a user's two-factor login"),
    "grant.create": _("Gave access"),
    "grant.update": _("Changed access"),
    "grant.revoke": _("Removed access"),
    "branding.create": _("Added a brand"),
    "branding.update": _("Changed a brand"),
    "branding.delete": _("Removed a brand"),
    "team.create": _("Created a team"),
    "team.delete": _("Deleted a team"),
    "team.member_add": _("Added someone to a team"),
    "team.member_role": _("Changed a team member's role"),
    "team.member_remove": _("Removed someone from a team"),
    "invitation.create": _("Invited someone to a team"),
    "invitation.revoke": _("Revoked an invitation to a team"),
    "invitation.accept": _("Joined a team by invitation"),
    "user.sessions_end": _("Logged a user out everywhere"),
    "auth.2fa_enable": _("Turned on two-factor login"),
    "auth.2fa_disable": _("Turned off two-factor login"),
    "auth.2fa_recovery_codes": _("Made new recovery codes"),
    "auth.2fa_failed": _("Wrong two-factor code"),
    "auth.sudo": _("Confirmed it was them (password or code)"),
    "settings.require_2fa": _("Changed whether everyone needs two-factor login"),
    "user.view_as_start": _("Started viewing the panel as a user"),
    "user.view_as_stop": _("Stopped viewing the panel as a user"),
    "customer.create": _("Added a customer"),
    "customer.update": _("Changed a customer"),
    "customer.server_assign": _("Assigned a server to a customer"),
    "customer.suspend": _("Suspended a customer"),
    "customer.reactivate": _("Reactivated a customer"),
    "customer.terminate": _("Ended a customer for good"),
    "webhook.create": _("Added a webhook endpoint"),
    "webhook.update": _("Changed a webhook endpoint"),
    "webhook.delete": _("Deleted a webhook endpoint"),
    "webhook.rotate_secret": _("Rotated a webhook endpoint's secret"),
    "webhook.resend": _("Resent a webhook message"),
    "webhook.test": _("Sent a test webhook message"),
    "webhook.disable": _("A webhook endpoint was disabled"),
    "token.create": _("Created an API token"),
    "token.revoke": _("Revoked an API token"),
}


def label(action: str) -> str:
    return LABELS.get(action, action)


def record(
    action: str,
    *,
    request=None,
    actor=None,
    actor_name: str = "",
    server=None,
    connection=None,
    result: str = AuditEntry.Result.OK,
    message: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one entry. `server` is a MirroredServer (its connection is taken from it)."""
    if not isinstance(actor, Actor):
        if actor is None and request is not None:
            user = getattr(request, "user", None)
            actor = user if user is not None and user.is_authenticated else None
        actor = Actor.person(
            actor,
            address=client_address(request) or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "") if request is not None else "",
        )
    if connection is None and server is not None:
        connection = server.connection
    user = actor.user
    entry = AuditEntry(
        action=action,
        actor=user,
        # A person by their username, a token as "API token 'billing' (of alice)".
        actor_name=(actor.name if user is not None or actor.token is not None else actor_name)[
            :150
        ],
        actor_kind=actor.kind,
        origin=actor.origin,
        server=server,
        srv_id=server.srv_id if server is not None else None,
        server_name=(server.display_name if server is not None else "")[:255],
        connection=connection,
        connection_name=(connection.name if connection is not None else "")[:100],
        result=result,
        message=message[:500],
        source_address=actor.address,
        user_agent=actor.user_agent[:200],
        details=redact(details or {}),
    )
    entry.save()
    return entry
