"""The server mirror: GET /servers copied into MirroredServer, at most once per TTL.

`refresh_connection(conn)` is cheap when the mirror is fresh (no query, no call). When it
is stale, one caller per connection wins a lock in the cache's Redis
(panel.core.locks.CacheLock, so across processes) and calls GET /servers; every other
caller waits for the winner and then reads the table: LISTED_WAIT at most when the
connection was listed before (then it shows the last known list, as "busy"),
PANEL_MIRROR_WAIT for a connection never listed (see wait_for_refresh). Upstream
failures are recorded on the connection (shown as a banner) and never raised.

Pages call this inline only for a connection never listed; one listed before is shown at
once and refreshed by a task (panel.servers.refresh).

When Redis does not answer, the lock is treated as absent: the caller refreshes without
coalescing (and logs a warning). The rate of GET /servers stays bounded by the TTL, which
lives in the database (`servers_checked_at`), so only requests that arrive during the same
few seconds of one stale moment can overlap.

Missing and purged servers: a server absent from a successful listing is marked missing
(`missing_since`); it is deleted only once its connection has listed successfully later
than `missing_since + PANEL_MIRROR_PURGE_AFTER`, i.e. it stayed absent through real
listings that long. A connection that could not list (waiting for a 2FA code over a
weekend, Terrahost down) keeps all its servers and their grants.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from panel.connections.errors import ConnectionProblem, describe
from panel.connections.models import Connection
from panel.connections.services import api
from panel.core import events
from panel.core.locks import UNAVAILABLE, CacheLock
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
    "primary_ip_sort",
    "ips",
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

# GET /servers answered an empty list while the mirror still shows servers as listed.
# Terrahost hides live servers for a while and one bad answer must not turn a whole
# account "not listed", so the first empty answer marks nothing: the connection gets this
# warning and keeps its list. The emptiness is believed on a second consecutive empty
# answer at least PANEL_MIRROR_TTL later (an account whose servers were all cancelled
# must eventually show them as not listed). Believed, it only marks servers missing;
# deleting them still takes PANEL_MIRROR_PURGE_AFTER of successful listings.
# Stored on the connection (and compared) in English, translated where it is shown.
EMPTY_LIST_WARNING = gettext_noop(
    "Terrahost answered with an empty server list. The panel kept the last known list "
    "and will check again; if the list is still empty then, the servers are shown as not "
    "listed."
)


# At most this many seconds a request waits for another process's refresh of a connection
# that has rows to show (see wait_for_refresh).
LISTED_WAIT = 2.0


@dataclass
class RefreshOutcome:
    """What `refresh_connection` did.

    fresh: nothing to do; refreshed: GET /servers stored; waited: another process
    refreshed while this one waited; busy: another process was still refreshing when the
    wait ended (the last data is shown); empty: an empty list was not believed yet (see
    EMPTY_LIST_WARNING); failed: upstream or the connection's login failed (`error`).
    """

    action: str
    error: str = ""


def lock_name(conn_id: int) -> str:
    return f"mirror-refresh:{conn_id}"


def is_fresh(conn: Connection, now: datetime | None = None, max_age: float | None = None) -> bool:
    """Fresh = a refresh was attempted within `max_age` seconds (default PANEL_MIRROR_TTL;
    failures count too, so a broken upstream is not hammered by every page view)."""
    if conn.servers_checked_at is None:
        return False
    now = now or timezone.now()
    if max_age is None:
        max_age = settings.PANEL_MIRROR_TTL
    return now - conn.servers_checked_at < timedelta(seconds=max_age)


def ip_sort_key(value: str | None) -> str:
    """A text key that sorts addresses as numbers: IPv4 zero-padded ("4 192.000.002.009"),
    then IPv6 exploded ("6 2001:0db8:..."), then anything unparsable ("9 ...")."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return ("9 " + value.lower())[:64]
    if address.version == 4:
        return "4 " + ".".join(f"{int(octet):03d}" for octet in str(address).split("."))
    return "6 " + address.exploded


def all_ips(server: Server) -> str:
    """Every address of the server, primary first, space-separated (for search)."""
    found = [server.primary_ip] if server.primary_ip else []
    for ip in server.ips:
        address = ip.address.strip()
        if address and address not in found:
            found.append(address)
    return " ".join(found)


def mirror_values(server: Server, now: datetime) -> dict:
    """The MirroredServer fields for one API record (raw redacted)."""
    return {
        "name": server.name[:255],
        "label": server.label[:255],
        "hostname": server.hostname[:255],
        "display_name": server.display_name[:255],
        "primary_ip": (server.primary_ip or "")[:64],
        "primary_ip_sort": ip_sort_key(server.primary_ip),
        "ips": all_ips(server),
        "location": server.location[:100],
        "type": server.type[:50],
        "vps_type": server.vps_type[:50],
        "os_name": (server.os.name if server.os else "")[:255],
        "status": server.status,
        "raw": server.raw,  # the client masks secrets in .raw
        "last_seen_at": now,
        "missing_since": None,
    }


def refresh_connection(
    conn: Connection, force: bool = False, max_age: float | None = None
) -> RefreshOutcome:
    """Bring the mirror of `conn` up to date if it is older than `max_age` (default the
    TTL) or `force`. Never raises for upstream problems: they end up in `conn.last_error`
    / `conn.auth_state`."""
    if not force and is_fresh(conn, max_age=max_age):
        return RefreshOutcome("fresh")
    if conn.auth_state != Connection.AuthState.OK:  # waits for an admin (code, password)
        return RefreshOutcome("failed", conn.last_error)
    try:
        lock = CacheLock(lock_name(conn.pk), timeout=settings.PANEL_MIRROR_LOCK_TIMEOUT)
        won = lock.acquire()
    except UNAVAILABLE as error:
        logger.warning(
            "The cache does not answer (%r): refreshing connection %s without the lock.",
            error,
            conn.pk,
        )
        return _refresh_if_still_stale(conn, force, max_age)
    if won:
        try:
            return _refresh_if_still_stale(conn, force, max_age)
        finally:
            lock.release()  # logs, never raises, when Redis has gone meanwhile
    try:
        released = lock.wait_released(wait_for_refresh(conn))
    except UNAVAILABLE as error:
        logger.warning("The cache stopped answering while waiting for a refresh: %r", error)
        released = True  # nothing more to wait for: read what the table has
    conn.refresh_from_db(fields=CONNECTION_STATE_FIELDS)
    return RefreshOutcome("waited" if released else "busy", conn.last_error)


def wait_for_refresh(conn: Connection) -> float:
    """How long a caller waits for another process's refresh of `conn` (then "busy").

    A connection listed before has its last known list to show: the caller waits only for
    a refresh about to finish, then shows that list with a notice, never for the seconds an
    upstream timeout takes. Only a connection never listed has nothing to show, and waits
    for its first listing.
    """
    if conn.servers_refreshed_at is None:
        return settings.PANEL_MIRROR_WAIT
    return min(LISTED_WAIT, settings.PANEL_MIRROR_WAIT)


def _refresh_if_still_stale(conn: Connection, force: bool, max_age: float | None):
    # Another process may have refreshed between our look and now.
    conn.refresh_from_db(fields=CONNECTION_STATE_FIELDS)
    if not force and is_fresh(conn, max_age=max_age):
        return RefreshOutcome("fresh")
    return _refresh_now(conn)


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
    if not any(server.id for server in servers) and not _empty_list_believed(conn, started):
        logger.warning("GET /servers answered an empty list for connection %s", conn.pk)
        _record_empty_list(conn, started)
        return RefreshOutcome("empty", EMPTY_LIST_WARNING)
    store_servers(conn, servers, now=started, previous_listing=conn.servers_refreshed_at)
    conn.write(
        {
            "servers_checked_at": started,
            "servers_refreshed_at": started,
            "last_error": "",
            "last_error_at": None,
        }
    )
    purge_missing(connection=conn)
    return RefreshOutcome("refreshed")


def _empty_list_believed(conn: Connection, now: datetime) -> bool:
    """An empty list is taken as it is when the mirror lists nothing either, or when the
    previous answer was empty too, at least one TTL earlier (see EMPTY_LIST_WARNING)."""
    if not MirroredServer.objects.filter(connection=conn, missing_since__isnull=True).exists():
        return True
    return (
        conn.last_error == EMPTY_LIST_WARNING
        and conn.last_error_at is not None
        and now - conn.last_error_at >= timedelta(seconds=settings.PANEL_MIRROR_TTL)
    )


def _record_empty_list(conn: Connection, now: datetime) -> None:
    """An attempt (so the TTL applies) that is not a successful listing: nothing is marked
    missing and `servers_refreshed_at` stays, so it cannot purge anything either. The time
    of the first empty answer is kept."""
    if conn.last_error == EMPTY_LIST_WARNING and conn.last_error_at is not None:
        conn.write({"servers_checked_at": now})
    else:
        _record_failure(conn, EMPTY_LIST_WARNING, now)


def _record_failure(conn: Connection, message: str, now: datetime) -> None:
    """An attempt that did not list: the TTL applies to it, and the banner says why."""
    conn.write({"servers_checked_at": now, "last_error": message, "last_error_at": now})


def listing_gap() -> timedelta:
    """Two successful listings further apart than this leave a gap nobody looked through
    (the connection waited for a 2FA code, Terrahost was down, beat was stopped)."""
    return timedelta(seconds=max(600, 3 * settings.PANEL_MIRROR_TTL))


@transaction.atomic
def store_servers(
    conn: Connection,
    servers: list[Server],
    *,
    now: datetime,
    previous_listing: datetime | None = None,
) -> None:
    """Upsert the listed servers in bulk and mark absent ones missing (never deletes).

    Rows whose (redacted) record did not change only get `last_seen_at` bumped, in chunks;
    new or changed rows are upserted in batches. Never one query per server.

    `previous_listing` is the connection's last successful listing before this one. When
    it is more than `listing_gap()` ago, servers still missing get their `missing_since`
    moved forward by the gap: an absence counts only while listings were watching, so a
    server missing on Friday, behind a connection that could not list until Monday, is
    not purged by Monday's first listing.
    """
    listed = {server.id: server for server in servers if server.id}
    known = {
        srv_id: (raw_hash, status)
        for srv_id, raw_hash, status in MirroredServer.objects.filter(connection=conn).values_list(
            "srv_id", "raw_hash", "status"
        )
    }
    changed, unchanged = [], []
    status_was: dict[int, str] = {}  # srv_id -> the status before, for those it changed of
    for srv_id, server in listed.items():
        raw_hash = record_hash(server.raw)
        before = known.get(srv_id)
        if before is not None and before[0] == raw_hash:
            unchanged.append(srv_id)
        else:
            # The row's other fields are worked out only for the servers that changed.
            values = mirror_values(server, now)
            changed.append(
                MirroredServer(
                    connection=conn, srv_id=srv_id, first_seen_at=now, raw_hash=raw_hash, **values
                )
            )
            if before is not None and before[1] != values["status"]:
                status_was[srv_id] = before[1]
    MirroredServer.objects.bulk_create(
        changed,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["connection", "srv_id"],
        update_fields=[*MIRROR_FIELDS, "raw_hash"],
    )
    for start in range(0, len(unchanged), 500):
        MirroredServer.objects.filter(
            connection=conn, srv_id__in=unchanged[start : start + 500]
        ).update(last_seen_at=now, missing_since=None)
    # Every listed row now has last_seen_at == now; the others were not listed.
    MirroredServer.objects.filter(
        connection=conn, last_seen_at__lt=now, missing_since__isnull=True
    ).update(missing_since=now)
    if previous_listing is not None and now - previous_listing > listing_gap():
        MirroredServer.objects.filter(
            connection=conn, missing_since__isnull=False, missing_since__lt=now
        ).update(missing_since=F("missing_since") + (now - previous_listing))
    if status_was:
        rows = MirroredServer.objects.filter(connection=conn, srv_id__in=status_was)
        for row in rows.only("pk", "srv_id", "display_name", "status", "customer_id"):
            announce_status(row, status_was[row.srv_id])


def announce_status(row: MirroredServer, previous: str) -> None:
    """server.status_changed, for webhooks (a real change only: never a first import)."""
    events.announce(
        "server.status_changed",
        {"server": events.server_facts(row), "status": row.status, "previous_status": previous},
        customer_id=row.customer_id,
    )


def record_hash(record: dict) -> str:
    """A fingerprint of a (redacted) record, to skip rewriting rows that did not change.

    Keys in the order the API sent them: sorting them cost a third more on every refresh,
    and a new order upstream would only rewrite each row once.
    """
    encoded = json.dumps(record, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def purge_missing(*, connection: Connection | None = None) -> int:
    """Delete servers that stayed absent through successful listings for longer than
    PANEL_MIRROR_PURGE_AFTER: their connection listed successfully (`servers_refreshed_at`)
    later than `missing_since + PURGE_AFTER`, and every listing since `missing_since`
    left them out (a listing that shows a server clears its `missing_since`). Servers of a
    connection that has not listed since, for whatever reason, are kept."""
    after = timedelta(seconds=settings.PANEL_MIRROR_PURGE_AFTER)
    gone = MirroredServer.objects.filter(
        missing_since__isnull=False,
        connection__servers_refreshed_at__gt=F("missing_since") + after,
    )
    if connection is not None:
        gone = gone.filter(connection=connection)
    _, per_model = gone.delete()  # their grants go with them (CASCADE)
    deleted = per_model.get(MirroredServer._meta.label, 0)
    if deleted:
        logger.info("Removed %s server(s) missing from GET /servers for too long", deleted)
    return deleted


LIST_FIELDS = [f for f in MIRROR_FIELDS if f not in ("raw", "last_seen_at", "missing_since")]


def update_row(row: MirroredServer, server: Server) -> MirroredServer:
    """Bring one mirror row in line with a freshly fetched server (GET /servers/{id}).

    Writes only when something the list shows changed, or the server was marked missing;
    then the record too, which the server page shows at once (its power state, features).
    """
    now = timezone.now()
    values = mirror_values(server, now)
    changed = [f for f in LIST_FIELDS if getattr(row, f) != values[f]]
    if row.missing_since is not None:
        changed.append("missing_since")
    previous_status = row.status
    if changed:
        for field in changed:
            setattr(row, field, values[field])
        row.raw = values["raw"]
        row.last_seen_at = now
        row.raw_hash = ""  # the next GET /servers rewrites the whole row
        row.save(update_fields=[*changed, "raw", "last_seen_at", "raw_hash"])
        if "status" in changed:
            announce_status(row, previous_status)
    return row


def recently_checked(conn: Connection, seconds: int = 5) -> bool:
    """True when GET /servers was tried in the last few seconds (a "try again" then waits
    for the normal TTL instead of calling again)."""
    return conn.servers_checked_at is not None and (
        timezone.now() - conn.servers_checked_at < timedelta(seconds=seconds)
    )
