"""Snapshots of one server: the list (read from the provider, cached briefly) and when a
schedule's next slot is. Taking, deleting and scheduling are commands (commands.py); the
schedules' runs are schedules.py.

The list's cache is written by every check of a running snapshot operation too (see
operation.py), so while one runs the page shows what the last check saw.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from panel.connections.errors import ConnectionProblem, explain
from panel.connections.services import api
from panel.core import softcache
from panel.core.outcomes import Outcome
from panel.operations.models import Operation
from terrahost_client.errors import NotSupported, TerrahostError
from terrahost_client.models import Snapshot

from .models import SnapshotSchedule

logger = logging.getLogger(__name__)

KINDS = ("snapshot_create", "snapshot_delete")
# Snapshots made outside the panel show up within this long (a page reload reads again).
LIST_TTL = 15
NAME_MAX = 64  # what POST /servers/{id}/snapshot takes


# --- the list ---------------------------------------------------------------------------------


@dataclass
class SnapshotList:
    snapshots: list[Snapshot] = field(default_factory=list)
    problem: Outcome | None = None
    # The provider's words when the server has no snapshots at all (a 405: VPS only).
    unsupported: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.unsupported

    @property
    def has_pending(self) -> bool:
        return any(not s.is_completed for s in self.snapshots)

    def get(self, snap_id: int) -> Snapshot | None:
        return next((s for s in self.snapshots if s.id == snap_id), None)


def _key(connection_id, srv_id) -> str:
    return f"snapshots:{connection_id}:{srv_id}"


def _store(connection_id, srv_id, value: dict) -> None:
    softcache.set(_key(connection_id, srv_id), value, LIST_TTL)


def remember(op, snapshots: list[Snapshot]) -> None:
    """What a check of operation `op` just read becomes the page's list."""
    _store(op.connection_id, op.srv_id, {"records": [s.raw for s in snapshots]})


def forget(row) -> None:
    softcache.delete(_key(row.connection_id, row.srv_id))


def _from_cache(value: dict) -> SnapshotList:
    if "unsupported" in value:
        return SnapshotList(unsupported=value["unsupported"])
    records = [Snapshot.from_api(r) for r in value["records"]]
    newest_first = sorted(records, key=lambda s: (s.created_at is None, s.created_at, s.id or 0))
    return SnapshotList(snapshots=newest_first[::-1])


def list_snapshots(row) -> SnapshotList:
    """The server's snapshots, newest first, or the problem in plain words."""
    cached = softcache.get(_key(row.connection_id, row.srv_id))
    if cached is not None:
        return _from_cache(cached)
    try:
        with api(row.connection) as client:
            snapshots = client.snapshots.list(row.srv_id)
    except NotSupported as error:
        # Cached for everyone: kept in English, translated where it is shown.
        fallback = gettext_noop("Snapshots are not supported for this server.")
        value = {"unsupported": error.message or fallback}
        _store(row.connection_id, row.srv_id, value)
        return _from_cache(value)
    except (TerrahostError, ConnectionProblem) as error:
        return SnapshotList(problem=explain(error, write=False))
    value = {"records": [s.raw for s in snapshots]}
    _store(row.connection_id, row.srv_id, value)
    return _from_cache(value)


def operations_of(row, limit: int = 5) -> list[Operation]:
    """The newest snapshot operations on this server that nobody dismissed."""
    return list(Operation.objects.filter(server=row, kind__in=KINDS, dismissed=False)[:limit])


def any_active(row) -> bool:
    return Operation.objects.filter(
        server=row, kind__in=KINDS, status__in=Operation.ACTIVE
    ).exists()


def default_name(row, now: datetime | None = None) -> str:
    """e.g. "web-01 2026-11-30 06:15" (the panel's time zone), at most NAME_MAX long."""
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y-%m-%d %H:%M")
    base = (row.display_name or str(row.srv_id))[: NAME_MAX - len(stamp) - 1].strip()
    return f"{base} {stamp}"


# --- schedules --------------------------------------------------------------------------------


def next_run(schedule: SnapshotSchedule, after: datetime) -> datetime:
    """The first slot of `schedule` strictly after `after`, at `hour`:00 in the panel's
    time zone. On the night clocks spring forward, a missing hour runs an hour later."""
    zone = timezone.get_default_timezone()
    today = timezone.localtime(after, zone).date()
    for days in range(8):
        day = today + timedelta(days=days)
        if schedule.frequency == SnapshotSchedule.Frequency.WEEKLY and (
            day.weekday() != schedule.weekday
        ):
            continue
        slot = datetime.combine(day, time(schedule.hour), tzinfo=zone)
        if slot > after:
            return slot
    raise AssertionError("a week always has the slot")  # pragma: no cover
