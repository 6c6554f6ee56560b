"""Whether Celery workers are taking jobs, from the heartbeat they leave in the cache.

Here on the ground floor, so that pages (the status page, the list's refresh) and tasks
can all read it; the `heartbeat` task that writes it is in panel.operations.tasks.
"""

from __future__ import annotations

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
