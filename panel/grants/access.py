"""The single access path: which servers a user may see, and what they may do to one.

Every server-scoped view gets its server through `get_server_for_user`; every list goes
through `visible_servers`. A server the user may not see is a 404, an action the user may
not take is a 403. Panel admins see everything and hold every key.

What a user holds is the union of their own grants and the grants of every team they are
a member of, leaving out expired grants. A customer's people (user.customer) see only
servers assigned to their customer, hold at most the customer's ceiling, and nothing at
all while it is suspended: moving a server to another customer ends their access at once.
Reseller staff limited to chosen customers (account managers) hold every server key but the
provider account's on those customers' servers, besides their own grants.
Everything is read from the database on each call (no cache), so a revoked or expired
grant, a removed membership or a deactivated user counts from the very next request, and
in running tasks (operations re-check keys_for).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .permissions import ACCOUNT_KEYS, ALL_KEYS, KEYS


def is_panel_admin(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (getattr(user, "is_panel_admin", False) or user.is_superuser)
    )


def _may_hold_grants(user) -> bool:
    """Grants count only for a logged-in, active user (a deactivated one keeps its grants
    in the database, but they give nothing until it is active again) whose customer, if
    they have one, is not suspended."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.customer_id is None or not user.customer.is_suspended


def is_customer_admin(user) -> bool:
    """An admin of their customer (which is not suspended): holds the customer's ceiling on
    every server assigned to it, and manages its teams and their access within that."""
    return bool(
        _may_hold_grants(user)
        and user.customer_id is not None
        and user.customer_role == user.CustomerRole.ADMIN
    )


def _managed(user) -> QuerySet:
    """The ids of the customers a staff member is limited to (lazy: a subquery)."""
    return user.managed_customers.through.objects.filter(user_id=user.pk).values("customer_id")


def manages_customer(user, customer_id) -> bool:
    """Whether `user` runs this customer's people, teams and access: a panel admin, one of
    its customer admins, or staff limited to it (an account manager)."""
    if customer_id is None:
        return False
    if is_panel_admin(user):
        return True
    if not _may_hold_grants(user):
        return False
    if user.customer_id is not None:
        return is_customer_admin(user) and user.customer_id == customer_id
    return _managed(user).filter(customer_id=customer_id).exists()


def managed_customer_ids(user) -> QuerySet | list:
    """The customers `user` runs as their admin (see manages_customer), panel admins left
    out (they run every one): for filters, lazy where it can be."""
    if not _may_hold_grants(user):
        return []
    if user.customer_id is not None:
        return [user.customer_id] if is_customer_admin(user) else []
    return _managed(user)


def is_account_manager(user) -> bool:
    """Reseller staff limited to chosen customers (not a panel admin)."""
    return (
        not is_panel_admin(user)
        and _may_hold_grants(user)
        and user.customer_id is None
        and _managed(user).exists()
    )


def _ceiling(user) -> frozenset[str]:
    """The most this user may ever hold: their customer's ceiling (staff: every key)."""
    if user.customer_id is None:
        return ALL_KEYS
    return frozenset(user.customer.ceiling) & (ALL_KEYS - ACCOUNT_KEYS)


def _own_customer(user, servers: QuerySet) -> QuerySet:
    """A customer's people: only servers assigned to their customer."""
    if user.customer_id is None:
        return servers
    return servers.filter(customer_id=user.customer_id)


def active_grants(user) -> QuerySet:
    """The grants that count for this user: their own and their teams', not expired.

    Lazy, and built from subqueries only (no joins), so it can sit inside another query.
    """
    from panel.teams.models import Membership

    from .models import Grant

    teams = Membership.objects.filter(user=user).values("team_id")
    return Grant.objects.filter(Q(user=user) | Q(team_id__in=teams)).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    )


def visible_servers(user) -> QuerySet:
    """MirroredServer rows this user may see, as one SQL query (grants are subqueries)."""
    from panel.servers.models import MirroredServer

    servers = MirroredServer.objects.all()
    if is_panel_admin(user):
        return servers
    if not _may_hold_grants(user):
        return servers.none()
    if is_customer_admin(user):
        return _own_customer(user, servers)
    grants = active_grants(user)
    seen = Q(pk__in=grants.filter(server__isnull=False).values("server_id")) | Q(
        connection_id__in=grants.filter(connection__isnull=False).values("connection_id")
    )
    if user.customer_id is None:
        seen |= Q(customer_id__in=_managed(user))
    return _own_customer(user, servers).filter(seen)


def visible_connections(user) -> QuerySet:
    """Connections with at least one server (or a whole-connection grant) for this user."""
    from panel.connections.models import Connection

    connections = Connection.objects.all()
    if is_panel_admin(user):
        return connections
    if not _may_hold_grants(user):
        return connections.none()
    if user.customer_id is not None:  # only the accounts their customer's servers are on
        return connections.filter(pk__in=visible_servers(user).values("connection_id"))
    grants = active_grants(user)
    return connections.filter(
        Q(pk__in=grants.filter(connection__isnull=False).values("connection_id"))
        | Q(pk__in=grants.filter(server__isnull=False).values("server__connection_id"))
    )


def _held(user, *, server=None, connection=None) -> dict[str, datetime | None]:
    """Key -> until when the user holds it on this scope (None: without an end).

    On a server: its own grants and its connection's. On a whole connection: only grants
    on the whole connection (a grant on one of its servers is not the whole connection).
    """
    if not _may_hold_grants(user):
        return {}
    held: dict[str, datetime | None] = {}
    if server is not None:
        if user.customer_id is not None and server.customer_id != user.customer_id:
            return {}
        if is_customer_admin(user):
            return dict.fromkeys(_ceiling(user))  # without an end
        scope = Q(server=server) | Q(connection_id=server.connection_id)
        if user.customer_id is None and manages_customer(user, server.customer_id):
            held = dict.fromkeys(ALL_KEYS - ACCOUNT_KEYS)  # an account manager's, no end
    elif user.customer_id is not None:
        return {}  # a whole connection is the reseller's, never a customer's
    else:
        scope = Q(connection=connection)
    ceiling = _ceiling(user)
    rows = active_grants(user).filter(scope).values_list("keys", "expires_at", "server_id")
    for keys, expires_at, on_one_server in rows:
        # The provider account's keys count only on a whole connection, never on one server.
        for key in set(keys) & (ceiling - ACCOUNT_KEYS if on_one_server else ceiling):
            # The latest end wins; None (no end) beats any date.
            if key not in held or (
                held[key] is not None and (expires_at is None or expires_at > held[key])
            ):
                held[key] = expires_at
    return held


def keys_for(user, server) -> frozenset[str]:
    """Every key the user holds on this server (union of their and their teams' grants)."""
    if is_panel_admin(user):
        return ALL_KEYS
    return frozenset(_held(user, server=server))


def holds(user, server, key: str, *, initiator_id=None) -> bool:
    """Whether the user holds `key` on this server now (commands, and tasks at run time).

    `initiator_id`: the person who started an operation may act on it (reveal its root
    password) without the key, as long as they still see the server.
    """
    if user is None:
        return False
    keys = keys_for(user, server)
    if key in keys:
        return True
    return initiator_id is not None and initiator_id == user.pk and "server.view" in keys


def keys_anywhere(user) -> frozenset[str]:
    """Every key the user holds on at least one server or connection (one query): a
    customer's admin their customer's ceiling, anyone else what their grants give within
    it; the provider account's keys only through a grant on a whole connection."""
    if is_panel_admin(user):
        return ALL_KEYS
    if not _may_hold_grants(user):
        return frozenset()
    ceiling = _ceiling(user)
    held = set(ceiling) if is_customer_admin(user) else set()
    for keys, on_one_server in active_grants(user).values_list("keys", "server_id"):
        held |= set(keys) & (ceiling - ACCOUNT_KEYS if on_one_server else ceiling)
    return frozenset(held)


def holds_anywhere(user, key: str) -> bool:
    """Whether the user holds `key` on any server or connection (white label: a holder of
    billing.view sees the provider's invoices, so hiding its name from them is pointless)."""
    if is_panel_admin(user):
        return True
    if not _may_hold_grants(user) or key not in _ceiling(user):
        return False  # without a query: pages ask this of a customer's people every time
    return key in keys_anywhere(user)


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


def offerable_keys(granter) -> frozenset[str]:
    """The keys a grant form offers `granter`: every key, or for a customer's person their
    customer's ceiling (a key they can never hold, they can never give)."""
    if is_panel_admin(granter) or granter.customer_id is None:
        return ALL_KEYS
    return _ceiling(granter)


def grantable_keys(granter, *, server=None, connection=None) -> frozenset[str]:
    """Keys `granter` may hand out on this scope: never one they do not hold themselves
    (on a whole connection: held on the whole connection)."""
    if is_panel_admin(granter):
        return ALL_KEYS
    return frozenset(_held(granter, server=server, connection=connection))


def grant_ends_by(granter, keys, *, server=None, connection=None) -> datetime | None:
    """The latest end a grant of `keys` by `granter` may have: a grant never outlasts the
    granter's own hold on its keys (None: no limit). Keys they do not hold are the
    caller's to refuse (grantable_keys)."""
    if is_panel_admin(granter):
        return None
    held = _held(granter, server=server, connection=connection)
    ends = [held[key] for key in keys if held.get(key) is not None]
    return min(ends) if ends else None


def grantable_servers(granter) -> QuerySet:
    """Servers `granter` may give access to (admins: all; others: the ones they see)."""
    return visible_servers(granter)


def grantable_connections(granter) -> QuerySet:
    """Connections `granter` may give whole-connection access to (admins: all; others:
    those they hold a whole-connection grant on)."""
    from panel.connections.models import Connection

    if is_panel_admin(granter):
        return Connection.objects.all()
    if not _may_hold_grants(granter) or granter.customer_id is not None:
        return Connection.objects.none()
    held = active_grants(granter).filter(connection__isnull=False).values("connection_id")
    return Connection.objects.filter(pk__in=held)


def get_connection_for_user(user, pk, key: str):
    """The connection with this pk if the user sees any of its servers (else 404) and holds
    `key` on one of them or on the whole connection (else 403). Admins hold every key.

    For account-wide pages (billing): the account's own keys count on the whole connection
    only, never through a grant on one of its servers.
    """
    from panel.connections.models import Connection

    if key not in KEYS:
        raise ValueError(f"Unknown permission key {key!r}")
    if user.customer_id is not None:  # the provider account is the reseller's business
        raise Http404("No such account.")
    try:
        connection = visible_connections(user).get(pk=pk)
    except (ValueError, TypeError, Connection.DoesNotExist):
        raise Http404("No such account.") from None
    if is_panel_admin(user):
        return connection
    scope = Q(connection=connection)
    if key not in ACCOUNT_KEYS:
        scope |= Q(server__connection=connection)
    grants = active_grants(user).filter(scope)
    # keys is a JSON list; JSON containment is not portable to SQLite, so look in Python.
    if not any(key in keys for keys in grants.values_list("keys", flat=True)):
        raise PermissionDenied("You are not allowed to see this.")
    return connection
