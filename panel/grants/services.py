"""Giving, changing and removing access. Views record the audit entries.

Who may give access to whom: panel admins to anyone; a team's manager to that team only.
Nobody can give a key they do not hold on that scope, nor for longer than they hold it.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .access import grant_ends_by, grantable_keys, is_panel_admin
from .models import Grant
from .permissions import ACCOUNT_KEYS, ALL_KEYS, KEYS, description, normalize


def _subject_field(subject) -> dict:
    from panel.teams.models import Team

    return {"team": subject} if isinstance(subject, Team) else {"user": subject}


def may_give(granter, subject) -> bool:
    """Admins give anyone access; a team manager only their team; None is the panel itself
    (an application token of the API)."""
    from panel.teams.access import may_manage
    from panel.teams.models import Team

    if granter is None or is_panel_admin(granter):
        return True
    return isinstance(subject, Team) and may_manage(granter, subject)


def _scoped(keys, scope) -> list[str]:
    """The keys, known and in order; on one server without the provider account's keys,
    which count on a whole connection only."""
    keys = normalize(keys)
    if "server" in scope:
        keys = [key for key in keys if key not in ACCOUNT_KEYS]
    return keys


def _check(granter, subject, keys, expires_at, scope) -> None:
    if not may_give(granter, subject):
        raise PermissionDenied(_("Only panel admins and a team's managers can give access."))
    if subject.customer_id is not None:
        server = scope.get("server")
        if server is None or server.customer_id != subject.customer_id:
            # It would give nothing: a customer's people see only their customer's servers.
            raise PermissionDenied(
                _("%(name)s belongs to a customer: give access only to that customer's servers.")
                % {"name": str(subject)}
            )
    if granter is None:  # the panel itself gives anything (the ceiling still bounds it)
        return
    missing = set(keys) - grantable_keys(granter, **scope)
    if missing:
        plain = "; ".join(description(key) for key in KEYS if key in missing)
        raise PermissionDenied(
            _("You cannot give permissions you do not hold yourself: %(permissions)s.")
            % {"permissions": plain}
        )
    ends_by = grant_ends_by(granter, keys, **scope)
    if ends_by is not None and (expires_at is None or expires_at > ends_by):
        when = formats.date_format(timezone.localtime(ends_by), "DATETIME_FORMAT")
        raise PermissionDenied(
            _(
                "Your own access to some of these permissions ends %(when)s; "
                "the access you give must end by then too."
            )
            % {"when": when}
        )


@transaction.atomic
def grant(
    granter,
    subject,
    keys,
    *,
    server=None,
    connection=None,
    expires_at: datetime | None = None,
) -> Grant:
    """Give `subject` (a user or a team) these keys on a server or on every server of a
    connection, until `expires_at` (None: for good).

    Replaces the keys and end of an existing grant on the same scope. PermissionDenied when
    the granter may not give this (see the module's docstring).
    """
    if (server is None) == (connection is None):
        raise ValueError("A grant is on one server or on one connection.")
    scope = {"server": server} if server is not None else {"connection": connection}
    keys = _scoped(keys, scope)
    _check(granter, subject, keys, expires_at, scope)
    obj, _created = Grant.objects.update_or_create(
        **_subject_field(subject),
        **scope,
        defaults={"keys": keys, "created_by": granter, "expires_at": expires_at},
    )
    return obj


@transaction.atomic
def update(granter, grant_obj: Grant, keys, *, expires_at: datetime | None = None) -> Grant:
    """Change the keys and end of a grant (same rules as giving it)."""
    keys = _scoped(keys, grant_obj.scope)
    _check(granter, grant_obj.subject, keys, expires_at, grant_obj.scope)
    grant_obj.keys = keys
    grant_obj.expires_at = expires_at
    grant_obj.save(update_fields=["keys", "expires_at", "updated_at"])
    return grant_obj


def revoke(granter, grant_obj: Grant) -> None:
    """Remove a grant; takes effect on the subject's next request."""
    if not may_give(granter, grant_obj.subject):
        raise PermissionDenied(_("Only panel admins and a team's managers can remove access."))
    held = ALL_KEYS if granter is None else grantable_keys(granter, **grant_obj.scope)
    if not grant_obj.is_expired and set(grant_obj.keys) - held:
        raise PermissionDenied(_("You cannot remove permissions you do not hold yourself."))
    grant_obj.delete()
