"""Beat's side of scheduled snapshots (panel.celery: every minute).

run_snapshot_schedules  starts the due schedules, each once however many of its slots
                        were missed (workers down), then prunes each schedule's own
                        oldest snapshots beyond its retention, one deletion at a time.
The snapshots themselves are long operations (panel.operations.tasks does the work).
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import schedules
from .models import SnapshotSchedule


@shared_task(name="panel.snapshots.tasks.run_snapshot_schedules", ignore_result=True)
def run_snapshot_schedules() -> int:
    """Returns how many snapshots (and deletions) were started."""
    now = timezone.now()
    started = 0
    for schedule in schedules.due_schedules(now):
        started += schedules.run_schedule(schedule, now) is not None
    with_snapshots = SnapshotSchedule.objects.filter(made__isnull=False).distinct()
    for schedule in with_snapshots.select_related("server__connection", "created_by"):
        started += schedules.prune(schedule, now) is not None
    return started
