"""The server page's record: at once from the cache or the mirror, then from the API
(GET /servers/{id}). Views call these; they own the detail cache (MirroredServer.changed
drops an entry)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings

from panel.connections.errors import ConnectionProblem, describe
from panel.connections.services import api
from panel.core import softcache
from terrahost_client.errors import NotFound, TerrahostError
from terrahost_client.models import Server

from . import mirror
from .models import MirroredServer, detail_cache_key

logger = logging.getLogger(__name__)


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
