"""The server mirror: GET /servers copied into MirroredServer, at most once per TTL.

`refresh_connection(conn)` is cheap when the mirror is fresh (no query, no call). When it
is stale, one caller per connection wins a lock in the cache (Redis, so across processes)
and calls GET /servers; every other caller waits for the winner and then reads the table.
Upstream failures are recorded on the connection (shown as a banner) and never raised.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from panel.connections.models import Connection
from panel.connections.services import ConnectionProblem, api, describe
from terrahost_client import redact
from terrahost_client.errors import TerrahostError
from terrahost_client.models import Server

from .models import MirroredServer

logger = logging.getLogger(__name__)

# The fields a refresh writes; `first_seen_at` is kept from the first time.
MIRROR_FIELDS = [
    "name",
    "label",
    "hostname",
    "display_name",
    "primary_ip",
    "location",
    "type",
    "vps_type",
    "os_name",
    "status",
    "raw",
    "last_seen_at",
    "missing_since",
]
CONNECTION_STATE_FIELDS = [
    "servers_checked_at",
    "servers_refreshed_at",
    "last_error",
    "last_error_at",
    "auth_state",
]


@dataclass
class RefreshOutcome:
    """What `refresh_connection` did: "fresh", "refreshed", "waited" or "failed"."""

    action: str
    error: str = ""


def lock_key(conn_id: int) -> str:
    return f"mirror-refresh:{conn_id}"


def is_fresh(conn: Connection, now: datetime | None = None) -> bool:
    """Fresh = a refresh was attempted within PANEL_MIRROR_TTL (failures count too, so a
    broken upstream is not hammered by every page view)."""
    if conn.servers_checked_at is None:
        return False
    now = now or timezone.now()
    return now - conn.servers_checked_at < timedelta(seconds=settings.PANEL_MIRROR_TTL)


def mirror_values(server: Server, now: datetime) -> dict:
    """The MirroredServer fields for one API record (raw redacted)."""
    return {
        "name": server.name[:255],
        "label": server.label[:255],
        "hostname": server.hostname[:255],
        "display_name": server.display_name[:255],
        "primary_ip": (server.primary_ip or "")[:64],
        "location": server.location[:100],
        "type": server.type[:50],
        "vps_type": server.vps_type[:50],
        "os_name": (server.os.name if server.os else "")[:255],
        "status": server.status,
        "raw": redact(server.raw),
        "last_seen_at": now,
        "missing_since": None,
    }


def refresh_connection(conn: Connection, force: bool = False) -> RefreshOutcome:
    """Bring the mirror of `conn` up to date if it is stale (or `force`). Never raises for
    upstream problems: they end up in `conn.last_error` / `conn.auth_state`."""
    if not force and is_fresh(conn):
        return RefreshOutcome("fresh")
    if conn.auth_state != Connection.AuthState.OK:  # waits for an admin (code, password)
        return RefreshOutcome("failed", conn.last_error)
    key = lock_key(conn.pk)
    owner = uuid.uuid4().hex
    if cache.add(key, owner, timeout=settings.PANEL_MIRROR_LOCK_TIMEOUT):
        try:
            # Another process may have refreshed between our look and our lock.
            conn.refresh_from_db(fields=CONNECTION_STATE_FIELDS)
            if not force and is_fresh(conn):
                return RefreshOutcome("fresh")
            return _refresh_now(conn)
        finally:
            if cache.get(key) == owner:
                cache.delete(key)
    _wait_for_winner(key)
    conn.refresh_from_db(fields=CONNECTION_STATE_FIELDS)
    return RefreshOutcome("waited", conn.last_error)


def _wait_for_winner(key: str) -> None:
    deadline = time.monotonic() + settings.PANEL_MIRROR_WAIT
    delay = 0.02
    while cache.get(key) is not None and time.monotonic() < deadline:
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def _refresh_now(conn: Connection) -> RefreshOutcome:
    started = timezone.now()
    try:
        with api(conn) as client:
            servers = client.servers.list()
    except ConnectionProblem as problem:
        _record_failure(conn, problem.message, started)
        return RefreshOutcome("failed", problem.message)
    except TerrahostError as error:
        logger.warning("GET /servers failed for connection %s: %r", conn.pk, error)
        _record_failure(conn, describe(error), started)
        return RefreshOutcome("failed", describe(error))
    store_servers(conn, servers, now=started)
    conn.servers_checked_at = conn.servers_refreshed_at = started
    conn.last_error, conn.last_error_at = "", None
    Connection.objects.filter(pk=conn.pk).update(
        servers_checked_at=started, servers_refreshed_at=started, last_error="", last_error_at=None
    )
    return RefreshOutcome("refreshed")


def _record_failure(conn: Connection, message: str, now: datetime) -> None:
    conn.servers_checked_at = now
    conn.last_error, conn.last_error_at = message, now
    Connection.objects.filter(pk=conn.pk).update(
        servers_checked_at=now, last_error=message, last_error_at=now
    )


@transaction.atomic
def store_servers(conn: Connection, servers: list[Server], *, now: datetime) -> None:
    """Upsert the listed servers in bulk, mark absent ones missing, purge long-absent ones.

    Rows whose (redacted) record did not change only get `last_seen_at` bumped, in chunks;
    new or changed rows are upserted in batches. Never one query per server.
    """
    records: dict[int, dict] = {}
    for server in servers:
        if server.id:
            values = mirror_values(server, now)
            values["raw_hash"] = record_hash(values["raw"])
            records[server.id] = values
    known = dict(MirroredServer.objects.filter(connection=conn).values_list("srv_id", "raw_hash"))
    changed = [
        MirroredServer(connection=conn, srv_id=srv_id, first_seen_at=now, **values)
        for srv_id, values in records.items()
        if known.get(srv_id) != values["raw_hash"]
    ]
    MirroredServer.objects.bulk_create(
        changed,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["connection", "srv_id"],
        update_fields=[*MIRROR_FIELDS, "raw_hash"],
    )
    unchanged = [
        srv_id for srv_id, values in records.items() if known.get(srv_id) == values["raw_hash"]
    ]
    for start in range(0, len(unchanged), 500):
        MirroredServer.objects.filter(
            connection=conn, srv_id__in=unchanged[start : start + 500]
        ).update(last_seen_at=now, missing_since=None)
    # Every listed row now has last_seen_at == now; the others were not listed.
    MirroredServer.objects.filter(
        connection=conn, last_seen_at__lt=now, missing_since__isnull=True
    ).update(missing_since=now)
    purge_missing(connection=conn, now=now)


def record_hash(record: dict) -> str:
    encoded = json.dumps(record, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def purge_missing(*, connection: Connection | None = None, now: datetime | None = None) -> int:
    """Delete servers absent from GET /servers for longer than PANEL_MIRROR_PURGE_AFTER."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.PANEL_MIRROR_PURGE_AFTER)
    gone = MirroredServer.objects.filter(missing_since__lt=cutoff)
    if connection is not None:
        gone = gone.filter(connection=connection)
    deleted, _ = gone.delete()
    return deleted


def refresh_connections(connections) -> list[Connection]:
    """Refresh each stale connection in turn; returns the connections (state updated)."""
    connections = list(connections)
    for conn in connections:
        refresh_connection(conn)
    return connections


LIST_FIELDS = [f for f in MIRROR_FIELDS if f not in ("raw", "last_seen_at", "missing_since")]


def update_row(row: MirroredServer, server: Server) -> MirroredServer:
    """Bring one mirror row in line with a freshly fetched server (GET /servers/{id}).

    Writes only when something the list shows changed, or the server was marked missing.
    """
    now = timezone.now()
    values = mirror_values(server, now)
    changed = [f for f in LIST_FIELDS if getattr(row, f) != values[f]]
    if row.missing_since is not None:
        changed.append("missing_since")
    if changed:
        for field in changed:
            setattr(row, field, values[field])
        row.last_seen_at = now
        row.raw_hash = ""  # the next GET /servers rewrites the whole row
        row.save(update_fields=[*changed, "last_seen_at", "raw_hash"])
    return row


def recently_checked(conn: Connection, seconds: int = 5) -> bool:
    """True when GET /servers was tried in the last few seconds (a "try again" then waits
    for the normal TTL instead of calling again)."""
    return conn.servers_checked_at is not None and (
        timezone.now() - conn.servers_checked_at < timedelta(seconds=seconds)
    )
