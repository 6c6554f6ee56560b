"""The single access path: which servers a user may see, and what they may do to one.

Every server-scoped view gets its server through `get_server_for_user`; every list goes
through `visible_servers`. A server the user may not see is a 404, an action the user may
not take is a 403. Panel admins see everything and hold every key.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from .permissions import ALL_KEYS, KEYS


def is_panel_admin(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (getattr(user, "is_panel_admin", False) or user.is_superuser)
    )


def _may_hold_grants(user) -> bool:
    """Grants count only for a logged-in, active user (a deactivated one keeps its grants
    in the database, but they give nothing until it is active again)."""
    return user is not None and user.is_authenticated and user.is_active


def _user_grants(user):
    from .models import Grant

    return Grant.objects.filter(user=user)


def visible_servers(user) -> QuerySet:
    """MirroredServer rows this user may see, as one SQL query (grants are subqueries)."""
    from panel.servers.models import MirroredServer

    servers = MirroredServer.objects.all()
    if is_panel_admin(user):
        return servers
    if not _may_hold_grants(user):
        return servers.none()
    grants = _user_grants(user)
    return servers.filter(
        Q(pk__in=grants.filter(server__isnull=False).values("server_id"))
        | Q(connection_id__in=grants.filter(connection__isnull=False).values("connection_id"))
    )


def visible_connections(user) -> QuerySet:
    """Connections with at least one server (or a whole-connection grant) for this user."""
    from panel.connections.models import Connection

    connections = Connection.objects.all()
    if is_panel_admin(user):
        return connections
    if not _may_hold_grants(user):
        return connections.none()
    grants = _user_grants(user)
    return connections.filter(
        Q(pk__in=grants.filter(connection__isnull=False).values("connection_id"))
        | Q(pk__in=grants.filter(server__isnull=False).values("server__connection_id"))
    )


def keys_for(user, server) -> frozenset[str]:
    """Every key the user holds on this server (union of their grants)."""
    if is_panel_admin(user):
        return ALL_KEYS
    if not _may_hold_grants(user):
        return frozenset()
    held: set[str] = set()
    grants = _user_grants(user).filter(Q(server=server) | Q(connection_id=server.connection_id))
    for keys in grants.values_list("keys", flat=True):
        held.update(keys)
    return frozenset(held & ALL_KEYS)


def get_server_for_user(user, pk, key: str = "server.view"):
    """The server with this pk if the user may see it (else 404) and holds `key` (else 403).

    The returned row carries `.keys`: the keys the user holds on it.
    """
    from panel.servers.models import MirroredServer

    if key not in KEYS:
        raise ValueError(f"Unknown permission key {key!r}")
    try:
        server = visible_servers(user).select_related("connection").get(pk=pk)
    except (ValueError, TypeError, MirroredServer.DoesNotExist):
        raise Http404("No such server.") from None
    server.keys = keys_for(user, server)
    if key not in server.keys:
        raise PermissionDenied("You are not allowed to do that on this server.")
    return server


def grantable_keys(granter, *, server=None, connection=None) -> frozenset[str]:
    """Keys `granter` may hand out on this scope: never one they do not hold themselves."""
    if is_panel_admin(granter):
        return ALL_KEYS
    if not _may_hold_grants(granter):
        return frozenset()
    if server is not None:
        return keys_for(granter, server)
    held: set[str] = set()
    for keys in _user_grants(granter).filter(connection=connection).values_list("keys", flat=True):
        held.update(keys)
    return frozenset(held & ALL_KEYS)


def get_connection_for_user(user, pk, key: str):
    """The connection with this pk if the user sees any of its servers (else 404) and holds
    `key` on one of them or on the whole connection (else 403). Admins hold every key.

    For account-wide pages (billing): a key on one server of the account opens them.
    """
    from panel.connections.models import Connection

    if key not in KEYS:
        raise ValueError(f"Unknown permission key {key!r}")
    try:
        connection = visible_connections(user).get(pk=pk)
    except (ValueError, TypeError, Connection.DoesNotExist):
        raise Http404("No such account.") from None
    if is_panel_admin(user):
        return connection
    grants = _user_grants(user).filter(Q(connection=connection) | Q(server__connection=connection))
    # keys is a JSON list; JSON containment is not portable to SQLite, so look in Python.
    if not any(key in keys for keys in grants.values_list("keys", flat=True)):
        raise PermissionDenied("You are not allowed to see this.")
    return connection
