"""What pages and tasks both know of the background: whether Celery workers are taking
jobs (from the heartbeat they leave in the cache), and how often beat refreshes mirrors.

Here on the ground floor, so that pages (the status page, the list's refresh), tasks and
the Celery app can all read it; the `heartbeat` task that writes it is in
panel.operations.tasks.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from .locks import UNAVAILABLE

# A worker ran the heartbeat task (queued by beat every HEARTBEAT_EVERY s) this recently:
# jobs are being taken. Without it a new operation is refused rather than left waiting.
WORKERS_ALIVE_KEY = "operations:workers-alive"
HEARTBEAT_EVERY = 20.0
HEARTBEAT_TTL = 75


def workers_alive() -> bool:
    """True when a worker ran the heartbeat lately (False when the cache is down too)."""
    try:
        return cache.get(WORKERS_ALIVE_KEY) is not None
    except UNAVAILABLE:
        return False


# Beat ticks this often at the fastest, whatever the TTL.
MIN_MIRROR_REFRESH_INTERVAL = 5.0


def mirror_refresh_interval() -> float:
    """Seconds between beat's mirror refresh ticks: half of PANEL_MIRROR_TTL, at least 5.

    At every tick the task refreshes the connections due (see
    panel.servers.tasks.beat_max_age), so a mirror is refreshed about once per TTL and a
    page view finds it stale only while beat or the workers are behind or stopped; the
    page then refreshes it itself, coalesced.
    """
    return max(MIN_MIRROR_REFRESH_INTERVAL, settings.PANEL_MIRROR_TTL / 2)
