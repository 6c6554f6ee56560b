from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .access import grantable_keys
from .models import Grant
from .permissions import normalize


@transaction.atomic
def grant(granter, user, keys, *, server=None, connection=None) -> Grant:
    """Give `user` these keys on a server or on every server of a connection.

    Replaces the keys of an existing grant on the same scope. Nobody can grant a key they
    do not hold (PermissionDenied).
    """
    if (server is None) == (connection is None):
        raise ValueError("A grant is on one server or on one connection.")
    keys = normalize(keys)
    missing = set(keys) - grantable_keys(granter, server=server, connection=connection)
    if missing:
        raise PermissionDenied(
            "You cannot grant permissions you do not hold: " + ", ".join(sorted(missing))
        )
    scope = {"server": server} if server is not None else {"connection": connection}
    obj, _ = Grant.objects.update_or_create(
        user=user, **scope, defaults={"keys": keys, "created_by": granter}
    )
    return obj


def revoke(granter, grant_obj: Grant) -> None:
    """Remove a grant; takes effect on the user's next request."""
    scope = {"server": grant_obj.server} if grant_obj.server_id else {}
    if not scope:
        scope = {"connection": grant_obj.connection}
    missing = set(grant_obj.keys) - grantable_keys(granter, **scope)
    if missing:
        raise PermissionDenied("You cannot revoke permissions you do not hold.")
    grant_obj.delete()
