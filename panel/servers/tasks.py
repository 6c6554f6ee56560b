"""Work on the mirror: periodic, and refreshes the list page queued. Tasks take ids, never
secrets."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

from panel.connections.models import Connection
from panel.core.locks import UNAVAILABLE
from panel.core.workers import mirror_refresh_interval

from . import mirror

logger = logging.getLogger(__name__)


def beat_max_age() -> float:
    """The age at which a beat tick refreshes a mirror: the TTL less half a beat interval.

    Beat ticks every `mirror_refresh_interval()` (half the TTL); a mirror refreshed at one
    tick is about one TTL old two ticks later. Without the half-interval allowance, a few
    milliseconds of scheduling jitter would make that tick find it just short of the TTL,
    and the mirror would then sit stale, making page views refresh it, until the next tick.
    """
    return max(0.0, settings.PANEL_MIRROR_TTL - mirror_refresh_interval() / 2)


@shared_task(name="panel.servers.tasks.refresh_stale_mirrors", ignore_result=True)
def refresh_stale_mirrors() -> int:
    """Refresh every connection whose mirror is (about to be) older than the TTL, so that
    page views rarely find one stale; returns how many were refreshed."""
    count = 0
    max_age = beat_max_age()
    for conn in Connection.objects.filter(auth_state=Connection.AuthState.OK):
        if mirror.refresh_connection(conn, max_age=max_age).action == "refreshed":
            count += 1
    return count


def queued_key(connection_id: int) -> str:
    """The cache key that says a refresh of this connection is queued (see
    panel.servers.refresh.start_refresh); the task removes it when it is done."""
    return f"mirror-refresh-queued:{connection_id}"


def forget_queued(connection_id: int) -> None:
    try:
        cache.delete(queued_key(connection_id))
    except UNAVAILABLE as error:  # it expires (PANEL_MIRROR_LOCK_TIMEOUT)
        logger.warning("Could not clear the queued refresh of %s: %r", connection_id, error)


@shared_task(name="panel.servers.tasks.refresh_connection", ignore_result=True)
def refresh_connection(connection_id: int, force: bool = False) -> str:
    try:
        conn = Connection.objects.filter(pk=connection_id).first()
        if conn is None:
            return "gone"
        return mirror.refresh_connection(conn, force=force).action
    finally:
        forget_queued(connection_id)


@shared_task(name="panel.servers.tasks.purge_missing_servers", ignore_result=True)
def purge_missing_servers() -> int:
    """Remove servers that stayed absent from successful GET /servers listings for
    PANEL_MIRROR_PURGE_AFTER (see mirror.purge_missing)."""
    return mirror.purge_missing()


@shared_task(name="panel.servers.tasks.follow_power", ignore_result=True)
def follow_power(server_id: int, goal: str, until: float) -> None:
    """Read a server after a power action until it settles (panel.servers.power)."""
    from . import power

    if power.step(server_id, goal, until):
        power._enqueue_follow(server_id, goal, until)
