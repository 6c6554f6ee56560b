"""Writing the audit log: `record()` is the one way in.

    from panel.audit.log import record
    record("server.rename", request=request, server=row, details={"old": a, "new": b})

The actor, source address and user agent come from the request when one is given.
`details` must hold facts only, never secrets; it is masked once more here as a guard.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext_lazy as _

from panel.accounts.throttle import client_address
from terrahost_client._secrets import redact

from .models import AuditEntry

logger = logging.getLogger(__name__)

# What each action is called on the Activity tab and the audit page.
LABELS = {
    "auth.login": _("Logged in"),
    "auth.login_failed": _("Failed login"),
    "auth.logout": _("Logged out"),
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
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if connection is None and server is not None:
        connection = server.connection
    address = client_address(request) or None
    entry = AuditEntry(
        action=action,
        actor=actor,
        actor_name=(actor.get_username() if actor is not None else actor_name)[:150],
        server=server,
        srv_id=server.srv_id if server is not None else None,
        server_name=(server.display_name if server is not None else "")[:255],
        connection=connection,
        connection_name=(connection.name if connection is not None else "")[:100],
        result=result,
        message=message[:500],
        source_address=address,
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:200],
        details=redact(details or {}),
    )
    entry.save()
    return entry
