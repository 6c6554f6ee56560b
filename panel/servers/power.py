"""After a power action, from any door (a button, the API, a suspension), the panel follows
the server until it settles: a read every FOLLOW_EVERY seconds for up to FOLLOW_FOR, each
bringing the mirror row in line (mirror.update_row), so the list, the pages and the
server.status_changed webhook see running -> stopped -> running as it happens, not at the
next refresh of the whole list. The task takes the row's id, the goal and an end time."""

from __future__ import annotations

import logging
import time

from django.db import transaction
from kombu.exceptions import KombuError

from panel.core.locks import UNAVAILABLE

from .detail import get_server_detail, power_settled
from .models import MirroredServer

logger = logging.getLogger(__name__)

FOLLOW_EVERY = 3  # seconds between reads
FOLLOW_FOR = 120  # then it gives up: the next refresh of the list tells the rest


def follow(row: MirroredServer, goal: str) -> None:
    """Follow `row` to `goal` ("on" or "off") once the current transaction commits."""
    until = time.time() + FOLLOW_FOR
    transaction.on_commit(lambda: _enqueue_follow(row.pk, goal, until))


def _enqueue_follow(server_id: int, goal: str, until: float) -> None:
    from .tasks import follow_power

    try:
        follow_power.apply_async((server_id, goal, until), countdown=FOLLOW_EVERY, retry=False)
    except (KombuError, *UNAVAILABLE) as error:  # the next refresh of the list tells
        logger.warning("following server %s was not queued: %r", server_id, error)


def step(server_id: int, goal: str, until: float) -> bool:
    """One read of the server; True when it should be read again."""
    row = MirroredServer.objects.select_related("connection").filter(pk=server_id).first()
    if row is None:
        return False
    server = get_server_detail(row, fresh=True).server
    if server is not None and power_settled(server, goal):
        return False
    return time.time() + FOLLOW_EVERY < until
