"""The server list page: the servers a user may see, as the mirror has them, searched,
sorted and paged. A stale list is brought up to date first (see panel.servers.refresh)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

from panel.connections.models import Connection
from panel.core.sorting import header, parse_sort
from panel.grants.access import visible_connections, visible_servers

from .refresh import bring_up_to_date

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
