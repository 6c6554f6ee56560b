"""Snapshots of one server: the list (read from the provider, cached briefly), starting a
snapshot or a deletion (long operations, panel.operations), and the schedules beat runs.

The list's cache is written by every check of a running snapshot operation too (see
operation.py), so while one runs the page shows what the last check saw.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from panel.audit.log import record
from panel.connections.errors import ConnectionProblem
from panel.connections.services import api
from panel.core import softcache
from panel.core.actions import Outcome, explain
from panel.operations import services as operations
from panel.operations.models import Operation
from terrahost_client.errors import NotSupported, TerrahostError
from terrahost_client.models import Snapshot

from .models import ScheduledSnapshot, SnapshotSchedule

logger = logging.getLogger(__name__)

KINDS = ("snapshot_create", "snapshot_delete")
# Snapshots made outside the panel show up within this long (a page reload reads again).
LIST_TTL = 15
NAME_MAX = 64  # what POST /servers/{id}/snapshot takes
# A scheduled run that found another snapshot under way tries again this much later.
BUSY_RETRY = timedelta(minutes=5)


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


# --- actions ----------------------------------------------------------------------------------


def take(request, row, name: str, key: str):
    """Start a snapshot called `name`; (outcome, operation or None)."""
    outcome, op = operations.start(request, row, "snapshot_create", key, {"name": name})
    if op is not None and not outcome.replayed:
        forget(row)
    return outcome, op


def delete(request, row, snap_id: int, name: str, key: str):
    asked = {"snap_id": snap_id, "name": name}
    outcome, op = operations.start(request, row, "snapshot_delete", key, asked)
    if op is not None and not outcome.replayed:
        forget(row)
    return outcome, op


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


def save_schedule(request, row, values: dict) -> SnapshotSchedule:
    """Create or change the server's schedule; whoever saves it owns its runs."""
    now = timezone.now()
    schedule = SnapshotSchedule.objects.filter(server=row).first() or SnapshotSchedule(server=row)
    for name, value in values.items():
        setattr(schedule, name, value)
    schedule.created_by = request.user
    schedule.created_by_name = request.user.get_username()
    schedule.next_run_at = next_run(schedule, now) if schedule.enabled else None
    schedule.last_problem = ""
    schedule.save()
    upcoming = schedule.next_run_at.isoformat() if schedule.next_run_at else None
    details = {**values, "next_run_at": upcoming}
    record("snapshot.schedule", request=request, server=row, details=details)
    return schedule


def _key_for(*parts) -> str:
    """A deterministic idempotency key (32 hex digits): the same run makes one operation."""
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _start_for_schedule(schedule, row, kind: str, key: str, asked: dict) -> Operation | None:
    """Start an operation as the schedule's owner (run_operation re-checks their
    snapshot.manage before sending); None when it cannot start now (one is under way, or
    the queue is down: the next tick tries again)."""
    outcome, op = operations.create(
        row, kind, key, asked, actor=schedule.created_by, details={**asked, "schedule": schedule.pk}
    )
    return op if outcome.ok else None


def due_schedules(now: datetime):
    return SnapshotSchedule.objects.filter(enabled=True, next_run_at__lte=now).select_related(
        "server__connection", "created_by"
    )


def run_schedule(schedule: SnapshotSchedule, now: datetime) -> Operation | None:
    """One run of a due schedule, at most once per slot whoever else ticks: the claim moves
    next_run_at to the next slot after NOW (not after the missed one)."""
    slot = schedule.next_run_at
    upcoming = next_run(schedule, now)
    claimed = SnapshotSchedule.objects.filter(
        pk=schedule.pk, enabled=True, next_run_at=slot
    ).update(next_run_at=upcoming, last_run_at=now, last_problem="")
    if not claimed:
        return None
    row = schedule.server
    if row.status == "suspended":
        _problem(schedule, gettext_noop("The server is suspended, so no snapshot was taken."))
        return None
    name = default_name(row, now)
    key = _key_for("snapshot-schedule", schedule.pk, slot.isoformat())
    op = _start_for_schedule(
        schedule, row, "snapshot_create", key, {"name": name, "scheduled": True}
    )
    if op is not None:
        # Its first check is a second away; a snapshot takes far longer.
        ScheduledSnapshot.objects.get_or_create(
            schedule=schedule, operation=op, defaults={"name": name}
        )
    if op is None:
        # Someone's snapshot is under way: this run waits a little instead of being lost.
        retry = min(now + BUSY_RETRY, upcoming)
        SnapshotSchedule.objects.filter(pk=schedule.pk).update(next_run_at=retry)
        _problem(
            schedule,
            gettext_noop("Another snapshot was being taken; the schedule tries again shortly."),
        )
        return None
    SnapshotSchedule.objects.filter(pk=schedule.pk).update(last_operation=op)
    return op


def _problem(schedule, text: str) -> None:
    """`text` is stored in English (gettext_noop) and translated where it is shown."""
    SnapshotSchedule.objects.filter(pk=schedule.pk).update(last_problem=text)


def prune(schedule: SnapshotSchedule, now: datetime) -> Operation | None:
    """Delete the oldest snapshot this schedule made beyond its `keep`, one at a time (one
    deletion per server runs at once); the next tick takes the next one."""
    made = schedule.made.exclude(snap_id=None)
    # Runs that failed before a snapshot showed leave nothing to prune.
    schedule.made.filter(snap_id=None, operation__status=Operation.Status.FAILED).delete()
    schedule.made.filter(snap_id=None, operation=None).delete()
    if made.count() <= schedule.keep:
        return None
    row = schedule.server
    busy = Operation.objects.filter(server=row, kind__in=KINDS, status__in=Operation.ACTIVE)
    if busy.exists():
        return None  # after the run's own snapshot is done, and one deletion at a time
    try:
        with api(row.connection) as client:
            listed = client.snapshots.list(row.srv_id)
    except (TerrahostError, ConnectionProblem) as error:
        logger.info("schedule %s: cannot list snapshots to prune (%r)", schedule.pk, error)
        return None
    there = {s.id: s for s in listed}
    made.exclude(snap_id__in=list(there)).delete()  # deleted by someone: not ours to prune
    ours = list(made.all())
    extra = ours[: max(0, len(ours) - schedule.keep)]
    if not extra:
        return None
    oldest = extra[0]
    snapshot = there[oldest.snap_id]
    if not snapshot.is_completed:
        return None
    # One attempt per snapshot and day: a refusal is not repeated every minute.
    key = _key_for("snapshot-prune", schedule.pk, oldest.snap_id, now.date().isoformat())
    asked = {"snap_id": oldest.snap_id, "name": oldest.name, "scheduled": True}
    return _start_for_schedule(schedule, row, "snapshot_delete", key, asked)
