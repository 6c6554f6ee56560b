"""The schedules' runs (beat, every minute, through tasks.py): each due schedule takes one
snapshot per slot, and prunes its own oldest snapshots beyond its retention. Both are
commands of the schedule's owner with origin "schedule", through the one executor.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta

from django.utils.translation import gettext_noop

from panel.commands.executor import execute
from panel.connections.errors import ConnectionProblem
from panel.connections.services import api
from panel.core.actors import Actor
from panel.core.outcomes import Outcome
from panel.operations.models import Operation
from terrahost_client.errors import TerrahostError

from .commands import DeleteSnapshot, TakeSnapshot
from .models import ScheduledSnapshot, SnapshotSchedule
from .services import KINDS, default_name, next_run

logger = logging.getLogger(__name__)

# A scheduled run that found another snapshot under way tries again this much later.
BUSY_RETRY = timedelta(minutes=5)
# Stored in English, translated where it is shown.
OWNER_MAY_NOT = gettext_noop(
    "The person who set up this schedule may no longer take snapshots of this server, so "
    "no snapshot was taken. Save the schedule again as someone who may."
)


def _key_for(*parts) -> str:
    """A deterministic idempotency key (32 hex digits): the same run makes one operation."""
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:32]


def _start(command) -> tuple[Operation | None, Outcome]:
    """Run a schedule's command as its owner (the executor checks their snapshot.manage
    now, and run_operation again before sending): (the operation or None when it cannot
    start now, the outcome)."""
    outcome = execute(command)
    pk = outcome.data.get("operation") if outcome.ok else None
    return (Operation.objects.get(pk=pk) if pk else None), outcome


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
    command = TakeSnapshot(
        actor=Actor.schedule(schedule.created_by),
        server=row,
        key=key,
        name=name,
        schedule_id=schedule.pk,
    )
    op, outcome = _start(command)
    if outcome.data.get("not_allowed"):
        _problem(schedule, OWNER_MAY_NOT)
        return None
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
    command = DeleteSnapshot(
        actor=Actor.schedule(schedule.created_by),
        server=row,
        key=key,
        snap_id=oldest.snap_id,
        name=oldest.name,
        schedule_id=schedule.pk,
    )
    return _start(command)[0]
