"""Scheduled snapshots: the API has none, so the panel keeps the schedule and beat runs it
(panel.snapshots.tasks). Snapshots themselves live only at the provider."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# The provider also limits snapshots per server (three on the sandbox); a new snapshot is
# taken before the oldest is pruned, so keeping as many as the limit fails at the limit.
MAX_KEEP = 10


class SnapshotSchedule(models.Model):
    """One schedule per server: a snapshot daily or weekly at `hour` (the panel's time
    zone), keeping the newest `keep` snapshots it made itself.

    `next_run_at` is the one slot beat waits for; it is always computed from the moment of
    a run (or a save), never from the slot that was missed, so workers that were down for
    days run a schedule once when they return, not once per missed slot.
    """

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")

    WEEKDAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]

    server = models.OneToOneField(
        "servers.MirroredServer", on_delete=models.CASCADE, related_name="snapshot_schedule"
    )
    frequency = models.CharField(max_length=10, choices=Frequency, default=Frequency.DAILY)
    weekday = models.PositiveSmallIntegerField(
        choices=WEEKDAYS, default=0, validators=[MaxValueValidator(6)]
    )
    hour = models.PositiveSmallIntegerField(default=3, validators=[MaxValueValidator(23)])
    keep = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(MAX_KEEP)]
    )
    enabled = models.BooleanField(default=True)
    # Whoever last saved the schedule: its runs are theirs, and stop (permission
    # withdrawn) when they no longer hold snapshot.manage on the server.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_operation = models.ForeignKey(
        "operations.Operation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why the last run could not even start (plain words); failures after the start are
    # on the operation itself.
    last_problem = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"snapshots of {self.server} ({self.frequency} at {self.hour}:00)"

    @property
    def description(self) -> str:
        """ "Every Monday at 03:00, keeping 2" (in the active language)."""
        values = {
            "weekday": self.get_weekday_display(),
            "time": f"{self.hour:02d}:00",
            "keep": self.keep,
        }
        if self.frequency == self.Frequency.WEEKLY:
            text = ngettext(
                "Every %(weekday)s at %(time)s, keeping %(keep)d",
                "Every %(weekday)s at %(time)s, keeping %(keep)d",
                self.keep,
            )
        else:
            text = ngettext(
                "Every day at %(time)s, keeping %(keep)d",
                "Every day at %(time)s, keeping %(keep)d",
                self.keep,
            )
        return text % values


class ScheduledSnapshot(models.Model):
    """A snapshot a schedule made: pruning deletes only these, oldest first. `snap_id` is
    filled in when its operation sees the new snapshot completed."""

    schedule = models.ForeignKey(SnapshotSchedule, on_delete=models.CASCADE, related_name="made")
    operation = models.OneToOneField(
        "operations.Operation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=64)
    snap_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} (#{self.snap_id})"
