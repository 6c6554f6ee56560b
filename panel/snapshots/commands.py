"""Snapshot commands: taking and deleting one (long operations) and the server's schedule,
whether a person or the schedule itself asks (panel.commands.executor runs them all)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from panel.commands.base import LocalChange, StartOperation
from panel.core.outcomes import Outcome

from . import services
from .models import SnapshotSchedule


@dataclass(kw_only=True)
class _SnapshotOperation(StartOperation):
    schedule_id: int | None = None  # set when a schedule asks

    def details(self) -> dict:
        if self.schedule_id is None:
            return self.input()
        return {**self.input(), "schedule": self.schedule_id}

    def started(self, op) -> None:
        services.forget(self.server)  # the list shows the new state at once


@dataclass(kw_only=True)
class TakeSnapshot(_SnapshotOperation):
    name: str

    kind = "snapshot_create"

    def input(self) -> dict:
        if self.schedule_id is None:
            return {"name": self.name}
        return {"name": self.name, "scheduled": True}


@dataclass(kw_only=True)
class DeleteSnapshot(_SnapshotOperation):
    snap_id: int
    name: str

    kind = "snapshot_delete"

    def input(self) -> dict:
        asked = {"snap_id": self.snap_id, "name": self.name}
        return asked if self.schedule_id is None else {**asked, "scheduled": True}


@dataclass(kw_only=True)
class SaveSnapshotSchedule(LocalChange):
    """Create or change the server's schedule; whoever saves it owns its runs."""

    values: dict  # the schedule form's cleaned data

    permission = "snapshot.manage"
    action = "snapshot.schedule"

    def apply(self) -> Outcome:
        row, user = self.server, self.actor.user
        schedule = SnapshotSchedule.objects.filter(server=row).first()
        schedule = schedule or SnapshotSchedule(server=row)
        for name, value in self.values.items():
            setattr(schedule, name, value)
        schedule.created_by = user
        schedule.created_by_name = user.get_username()
        enabled = schedule.enabled
        schedule.next_run_at = services.next_run(schedule, timezone.now()) if enabled else None
        schedule.last_problem = ""
        schedule.save()
        self.schedule = schedule
        if enabled:
            values = {"schedule": schedule.description, "when": _when(schedule.next_run_at)}
            return Outcome(True, _("Saved: %(schedule)s. Next snapshot %(when)s.") % values)
        return Outcome(True, _("Scheduled snapshots are off for this server."))

    def details(self) -> dict:
        upcoming = getattr(self, "schedule", None) and self.schedule.next_run_at
        return {**self.values, "next_run_at": upcoming.isoformat() if upcoming else None}


def _when(moment) -> str:
    """ "on 5 December at 03:00" (the month in the active language)."""
    local = timezone.localtime(moment)
    values = {"day": dateformat.format(local, "j F"), "time": dateformat.format(local, "H:i")}
    return _("on %(day)s at %(time)s") % values
