"""Server reads for the pages: the list (from the mirror) and the detail (at once from the
mirror, then from the API).

Views call these; these call the mirror and terrahost_client, and own the caches.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from kombu.exceptions import KombuError

from panel.connections.errors import ConnectionProblem, describe
from panel.connections.models import Connection
from panel.connections.services import api
from panel.core import softcache
from panel.core.locks import UNAVAILABLE, CacheLock
from panel.core.sorting import header, parse_sort
from panel.core.workers import workers_alive
from panel.grants.access import visible_connections, visible_servers
from terrahost_client.errors import NotFound, TerrahostError
from terrahost_client.models import Server

from . import mirror, tasks
from .models import MirroredServer

logger = logging.getLogger(__name__)

# Each ends with srv_id, so that the order is total: a page read from the end (see
# NearerEnd) holds the same rows as read from the start. MirroredServer has an index for
# each but "connection" (a join).
SORTS = {
    "name": (Lower("display_name"), "srv_id"),
    "ip": ("primary_ip_sort", "srv_id"),  # as numbers: .9 before .10
    "location": ("location", Lower("display_name"), "srv_id"),
    "type": ("type", Lower("display_name"), "srv_id"),
    "os": ("os_name", Lower("display_name"), "srv_id"),
    "status": ("status", Lower("display_name"), "srv_id"),
    "connection": ("connection__name", Lower("display_name"), "srv_id"),
}
DEFAULT_SORT = "name"
COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("ip", gettext_lazy("Primary IP")),
    ("location", gettext_lazy("Location")),
    ("type", gettext_lazy("Type")),
    ("os", gettext_lazy("OS")),
    ("status", gettext_lazy("Status")),
]


@dataclass
class ServerList:
    page: Page  # its object_list: dicts of ROW_FIELDS
    query: str
    sort: str
    descending: bool
    connections: list[Connection] = field(default_factory=list)
    # Stale connections whose refresh runs in the background (the page polls for it)...
    refreshing: list[Connection] = field(default_factory=list)
    # ...and those whose refresh could not be queued (Redis or the workers are down).
    not_started: list[Connection] = field(default_factory=list)

    @property
    def problems(self) -> list[Connection]:
        return [conn for conn in self.connections if conn.has_problem]

    @property
    def waiting_for_admin(self) -> bool:
        """Some connection cannot refresh until an admin acts (2FA code, new password)."""
        return any(conn.auth_state != Connection.AuthState.OK for conn in self.connections)

    @property
    def updated_at(self) -> datetime | None:
        """When the oldest list on the page was fetched, while it is being refreshed or
        could not be; None when every list is fresh."""
        stale = [conn.servers_refreshed_at for conn in self.refreshing + self.not_started]
        return min(stale, default=None)

    @property
    def columns(self) -> list[dict]:
        """Sortable headers: the sort a click asks for and the current aria-sort."""
        return [header(key, label, self.sort, self.descending) for key, label in COLUMNS]


_ADDRESS_PART = re.compile(r"^[0-9a-fA-F:.]+$")


def looks_like_address(query: str) -> bool:
    """True for what may be part of an IP address ("192.0", "2001:db8", "::1"): only hex
    digits, dots and colons, with a digit or a colon. A word such as "db" or "cafe" is not
    one, or it would match every IPv6 address of 2001:db8::/32."""
    return bool(_ADDRESS_PART.match(query)) and any(c.isdigit() or c == ":" for c in query)


def list_servers(user, *, query: str = "", sort: str = "", page: str | int = 1) -> ServerList:
    """The page of servers this user may see, as the mirror has them now.

    A stale connection is refreshed in the background (the page shows what it has and
    polls, see refresh_pending); only a connection never listed is waited for, since
    there is nothing to show before its first listing. The page's rows are dicts of
    ROW_FIELDS.
    """
    connections = list(visible_connections(user))
    refreshing, not_started = bring_up_to_date(connections)
    servers = visible_servers(user)
    query = query.strip()[:100]
    if query:
        match = (
            Q(display_name__icontains=query)
            | Q(name__icontains=query)
            | Q(label__icontains=query)
            | Q(hostname__icontains=query)
        )
        if looks_like_address(query):
            match |= Q(ips__icontains=query)  # every IPv4/IPv6 address, not only the primary
        servers = servers.filter(match)
    sort_key, descending = parse_sort(sort, SORTS, (DEFAULT_SORT, False))
    order = []
    for term in SORTS[sort_key]:
        expr = F(term) if isinstance(term, str) else term
        order.append(expr.desc() if descending else expr.asc())
    # Only the columns the rows show: the raw record (a few KB a row) and the connection's
    # row stay out, which also keeps PostgreSQL's sort of a large page in memory.
    servers = servers.order_by(*order).values(*ROW_FIELDS)
    current = NearerEnd(servers, settings.PANEL_SERVERS_PER_PAGE).get_page(page)
    return ServerList(
        page=current,
        query=query,
        sort=sort_key,
        descending=descending,
        connections=connections,
        refreshing=refreshing,
        not_started=not_started,
    )


class NearerEnd(Paginator):
    """Reads a page in the second half of the list from the end: in the reverse order, its
    rows then put back. With an index on the sort the database steps over at most half the
    list (the last page of 5,000 servers reads 50 rows, not all 5,000 or a sort of them)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if bottom <= self.count - top:
            return self._get_page(self.object_list[bottom:top], number, self)
        rows = list(self.object_list.reverse()[self.count - top : self.count - bottom])
        return self._get_page(rows[::-1], number, self)


ROW_FIELDS = [
    "pk",
    "connection_id",
    "srv_id",
    "display_name",
    "name",
    "label",
    "primary_ip",
    "location",
    "type",
    "vps_type",
    "os_name",
    "status",
    "last_seen_at",
    "missing_since",
]


# --- stale lists are refreshed in the background ---------------------------------------------


def bring_up_to_date(connections: list[Connection]) -> tuple[list, list]:
    """Refresh the stale ones among `connections`: a connection never listed now (the
    caller waits: it has nothing to show before), the others in the background. Returns
    (refreshing, not_started): the connections refreshing in the background, and those
    whose refresh could not be queued."""
    refreshing, not_started = [], []
    for conn in connections:
        if not _due(conn):
            continue
        if conn.servers_refreshed_at is None:
            mirror.refresh_connection(conn)
        elif start_refresh(conn):
            refreshing.append(conn)
        else:
            not_started.append(conn)
    return refreshing, not_started


def _due(conn: Connection) -> bool:
    """Stale and refreshable: a connection waiting for an admin (a code, a password) is
    not refreshed, and its banner says so."""
    return not mirror.is_fresh(conn) and conn.auth_state == Connection.AuthState.OK


def start_refresh(conn: Connection) -> bool:
    """Queue a refresh of `conn` unless one is queued already (many page views of a stale
    list queue one task; the task itself still takes the mirror's lock). False when it
    cannot be queued: Redis or the workers are down."""
    if not workers_alive():
        return False
    key = tasks.queued_key(conn.pk)
    try:
        if cache.add(key, True, timeout=settings.PANEL_MIRROR_LOCK_TIMEOUT):
            _enqueue_refresh(conn.pk)
    except (KombuError, *UNAVAILABLE) as error:
        logger.warning("The refresh of connection %s was not queued: %r", conn.pk, error)
        tasks.forget_queued(conn.pk)  # the next page view tries again
        return False
    return True


def _enqueue_refresh(connection_id: int) -> None:
    tasks.refresh_connection.apply_async((connection_id,), retry=False)


def refresh_pending(user) -> bool:
    """Whether a refresh of a stale list this user sees is still queued or running (the
    list page polls this cheaply and swaps the fresh rows in once it is not)."""
    for conn in visible_connections(user):
        if not _due(conn):
            continue
        try:
            lock = CacheLock(mirror.lock_name(conn.pk), settings.PANEL_MIRROR_LOCK_TIMEOUT)
            if cache.get(tasks.queued_key(conn.pk)) or lock.locked():
                return True
        except UNAVAILABLE:
            return False  # nothing to wait for: show what the table has
    return False


# --- "Try again" on the list -----------------------------------------------------------------


@dataclass
class RefreshReport:
    """What a user's "Try again" did, per connection they may see."""

    refreshed: list[Connection] = field(default_factory=list)  # listed just now
    up_to_date: list[Connection] = field(default_factory=list)  # checked seconds ago, fine
    busy: list[Connection] = field(default_factory=list)  # another request still at it
    failed: list[tuple[Connection, str]] = field(default_factory=list)  # (conn, why)
    waiting: list[Connection] = field(default_factory=list)  # need an admin first

    def admin_messages(self) -> list[tuple[int, str]]:
        """(level, text) for an admin: each connection by name, and why (a reason stored
        on the connection in English is translated here, where it is shown)."""
        out = [
            (
                messages.WARNING,
                _("%(name)s was not refreshed: %(error)s") % {"name": c.name, "error": _(e)},
            )
            for c, e in self.failed
        ]
        for conn in self.waiting:
            if conn.needs_reauth:
                text = _("%(name)s was not refreshed: it needs a fresh two-factor code.")
            else:
                text = _("%(name)s was not refreshed: Terrahost refused its stored password.")
            out.append((messages.WARNING, text % {"name": conn.name}))
        out += self._common()
        if self.refreshed and (self.failed or self.waiting or self.busy):
            names = ", ".join(conn.name for conn in self.refreshed)
            out.append((messages.SUCCESS, _("Refreshed: %(names)s.") % {"names": names}))
        return out

    def customer_messages(self) -> list[tuple[int, str]]:
        """(level, text) for everyone else: never a connection's name or the provider's."""
        out = []
        if self.failed:
            out.append(
                (
                    messages.WARNING,
                    _(
                        "Your servers could not be updated just now; you see the last known "
                        "data. Try again in a minute."
                    ),
                )
            )
        if self.waiting:
            out.append(
                (
                    messages.WARNING,
                    _(
                        "Some of your servers cannot be updated until an administrator "
                        "reconnects their account."
                    ),
                )
            )
        return out + self._common()

    def _common(self) -> list[tuple[int, str]]:
        """What both audiences read: nothing to refresh, still busy, or all done."""
        if not (self.refreshed or self.up_to_date or self.failed or self.waiting or self.busy):
            return [(messages.INFO, _("There is no server list to refresh yet."))]
        if self.busy:
            text = _("The server list is still being fetched; reload the page in a moment.")
            return [(messages.INFO, text)]
        if self.failed or self.waiting:
            return []
        if self.refreshed:
            return [(messages.SUCCESS, _("The server list was refreshed."))]
        return [(messages.INFO, _("The server list is up to date: it was checked seconds ago."))]


def refresh_for_user(user) -> RefreshReport:
    """Refresh now every connection the user may see (still coalesced; a connection
    checked in the last few seconds is not asked again)."""
    report = RefreshReport()
    for conn in visible_connections(user):
        if conn.auth_state != Connection.AuthState.OK:
            report.waiting.append(conn)
            continue
        outcome = mirror.refresh_connection(conn, force=not mirror.recently_checked(conn))
        error = outcome.error or conn.last_error
        if outcome.action == "busy":
            report.busy.append(conn)
        elif error:
            report.failed.append((conn, error))
        elif outcome.action == "fresh":
            report.up_to_date.append(conn)
        else:  # refreshed, or waited for another request that refreshed it
            report.refreshed.append(conn)
    return report


# --- detail ---------------------------------------------------------------------------------


@dataclass
class ServerDetail:
    """What the server page shows: the API's record; at once, the mirror's (`from_mirror`:
    the page loads the API's right after); or, when the API's cannot be had, a message."""

    server: Server | None
    error: str = ""
    needs_reauth: bool = False
    not_found: bool = False
    from_mirror: bool = False

    @property
    def ok(self) -> bool:
        return self.server is not None and not self.error


def live_status(server: Server) -> str:
    """The power panel's word: rebooting while a reboot runs, else the badge's word; a
    cancelled server that still runs says running (it can still be rebooted)."""
    if server.is_rebooting and server.is_running and not server.is_suspended:
        return "rebooting"
    if server.status == "cancelled":
        return "running" if server.is_running else "stopped"
    return server.status


def power_settled(server: Server, goal: str) -> bool:
    """True once the server reached the goal of a power action ("on" or "off")."""
    if goal == "off":
        return not server.is_running
    return server.is_running and not server.is_rebooting


def detail_cache_key(row: MirroredServer) -> str:
    return f"server-detail:{row.connection_id}:{row.srv_id}"


def page_detail(row: MirroredServer) -> ServerDetail:
    """What the server page shows at once, never waiting for Terrahost: the cached record,
    else the mirror's (the page then loads the API's, see get_server_detail). A connection
    only an administrator can repair says so at once: api() knows that without a call."""
    detail = _cached_detail(row)
    if detail is not None:
        return detail
    try:
        with api(row.connection):
            pass
    except ConnectionProblem as problem:
        return _problem_detail(problem)
    return ServerDetail(Server.from_api(row.raw), from_mirror=True)


def get_server_detail(row: MirroredServer, *, fresh: bool = False) -> ServerDetail:
    """GET /servers/{id}, cached briefly (redacted). Upstream failures become a message."""
    if not fresh:
        detail = _cached_detail(row)
        if detail is not None:
            return detail
    try:
        with api(row.connection) as client:
            server = client.servers.get(row.srv_id)
    except ConnectionProblem as problem:
        return _problem_detail(problem)
    except NotFound as error:
        return ServerDetail(None, describe(error), not_found=True)
    except TerrahostError as error:
        logger.warning("GET /servers/%s failed: %r", row.srv_id, error)
        return ServerDetail(None, describe(error))
    record = server.raw  # the client masks secrets in .raw
    softcache.set(detail_cache_key(row), record, settings.PANEL_DETAIL_TTL)
    mirror.update_row(row, server)
    return ServerDetail(Server.from_api(record))


def _cached_detail(row: MirroredServer) -> ServerDetail | None:
    record = softcache.get(detail_cache_key(row))
    return None if record is None else ServerDetail(Server.from_api(record))


def _problem_detail(problem: ConnectionProblem) -> ServerDetail:
    waiting = problem.code in ("needs_reauth", "login_refused")
    return ServerDetail(None, problem.message, needs_reauth=waiting)


def server_changed(row: MirroredServer, **fields) -> None:
    """Call after an action changed a server: its cached detail is dropped (the next page
    view reads it again), and `fields` the action knows changed (e.g. the name) are written
    to its mirror row at once, so the list shows them without another upstream call."""
    softcache.delete(detail_cache_key(row))
    if fields:
        for name, value in fields.items():
            setattr(row, name, value)
        row.save(update_fields=list(fields))
