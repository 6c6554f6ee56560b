"""Stale server lists brought up to date: in the background for the list page (one queued
task per connection, which the page polls for), and at once for a user's "Try again"."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from panel.connections.models import Connection
from panel.core.locks import UNAVAILABLE, CacheLock
from panel.core.workers import workers_alive
from panel.grants.access import visible_connections

from . import mirror, tasks

logger = logging.getLogger(__name__)


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
