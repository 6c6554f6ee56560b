"""Scheduled snapshots: the slot arithmetic (fixed times), a missed slot runs once, the
owner's permission is re-checked, and pruning deletes only the schedule's own snapshots."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from panel.audit.models import AuditEntry
from panel.grants.models import Grant
from panel.operations.models import Operation
from panel.snapshots import schedules, services, tasks
from panel.snapshots.models import ScheduledSnapshot, SnapshotSchedule

from ..conftest import calls
from .conftest import run, snapshots_of, take_outside

OSLO = ZoneInfo("Europe/Oslo")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=OSLO)


def schedule(**fields) -> SnapshotSchedule:
    return SnapshotSchedule(**{"frequency": "daily", "hour": 3, "weekday": 0, **fields})


@pytest.fixture(autouse=True)
def oslo(settings):
    settings.TIME_ZONE = "Europe/Oslo"


@pytest.mark.parametrize(
    ("fields", "now", "expected"),
    [
        ({}, at(2026, 11, 30, 2, 59), at(2026, 11, 30, 3)),  # later today
        ({}, at(2026, 11, 30, 3, 0), at(2026, 12, 1, 3)),  # the slot itself is past
        ({}, at(2026, 11, 30, 6, 15), at(2026, 12, 1, 3)),
        ({"frequency": "weekly", "weekday": 0}, at(2026, 11, 30, 6), at(2026, 12, 7, 3)),
        ({"frequency": "weekly", "weekday": 2}, at(2026, 11, 30, 6), at(2026, 12, 2, 3)),
        ({"hour": 23}, at(2026, 12, 31, 23, 30), at(2027, 1, 1, 23)),
        # Clocks go back on 25 October 2026: 03:00 happens once, an hour later in UTC.
        ({}, at(2026, 10, 25, 0), at(2026, 10, 25, 3)),
    ],
)
def test_the_next_slot(fields, now, expected):
    found = services.next_run(schedule(**fields), now)
    assert found == expected
    assert found.utcoffset() == expected.utcoffset()


def test_the_slot_is_in_the_panels_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    found = services.next_run(schedule(hour=3), datetime(2026, 11, 30, 7, tzinfo=ZoneInfo("UTC")))
    assert found == datetime(2026, 11, 30, 8, tzinfo=ZoneInfo("UTC"))  # 03:00 in New York


@pytest.fixture
def bobs_schedule(bob, servers):
    return SnapshotSchedule.objects.create(
        server=servers[1], hour=3, keep=2, created_by=bob, created_by_name="bob"
    )


def test_a_schedule_waits_for_its_slot(bobs_schedule, queued):
    SnapshotSchedule.objects.filter(pk=bobs_schedule.pk).update(
        next_run_at=timezone.now() + timedelta(minutes=1)
    )
    assert tasks.run_snapshot_schedules() == 0
    assert not Operation.objects.exists()


def test_missed_slots_run_once_when_workers_return(bobs_schedule, bob, queued):
    # Workers were down for three days: three slots were missed.
    SnapshotSchedule.objects.filter(pk=bobs_schedule.pk).update(
        next_run_at=timezone.now() - timedelta(days=3)
    )
    assert tasks.run_snapshot_schedules() == 1
    assert tasks.run_snapshot_schedules() == 0  # not once per missed slot
    op = Operation.objects.get()
    assert (op.kind, op.initiator, op.input["scheduled"]) == ("snapshot_create", bob, True)
    bobs_schedule.refresh_from_db()
    assert bobs_schedule.next_run_at > timezone.now()  # from now, not from the missed slot
    assert bobs_schedule.next_run_at - timezone.now() <= timedelta(days=1)
    assert bobs_schedule.last_operation == op
    assert ScheduledSnapshot.objects.get().operation == op


def test_a_run_while_another_snapshot_is_taken_tries_again_shortly(
    bobs_schedule, bob_client, servers, queued
):
    bob_client.post(
        reverse("snapshots:take", args=[servers[1].pk]),
        {"name": "by hand", "idempotency_key": "d" * 32},
    )
    SnapshotSchedule.objects.filter(pk=bobs_schedule.pk).update(next_run_at=timezone.now())
    assert tasks.run_snapshot_schedules() == 0
    bobs_schedule.refresh_from_db()
    assert "tries again shortly" in bobs_schedule.last_problem
    assert bobs_schedule.next_run_at <= timezone.now() + schedules.BUSY_RETRY


def test_a_run_is_refused_when_the_owner_lost_snapshot_manage(bobs_schedule, bob, sandbox, queued):
    """The executor checks the owner's keys before anything starts (and run_operation
    again before the write, for a grant revoked in between)."""
    Grant.objects.filter(user=bob).update(keys=["server.view", "snapshot.view"])
    SnapshotSchedule.objects.filter(pk=bobs_schedule.pk).update(next_run_at=timezone.now())
    assert tasks.run_snapshot_schedules() == 0
    assert not Operation.objects.exists()
    assert calls(sandbox, "POST /servers/{id}/snapshot") == 0
    bobs_schedule.refresh_from_db()
    assert "may no longer take snapshots" in bobs_schedule.last_problem
    entry = AuditEntry.objects.get(action="snapshot_create.requested")
    assert (entry.result, entry.origin, entry.actor_kind) == ("refused", "schedule", "schedule")


def _scheduled_run(schedule, sandbox):
    SnapshotSchedule.objects.filter(pk=schedule.pk).update(next_run_at=timezone.now())
    assert tasks.run_snapshot_schedules() == 1
    op = Operation.objects.filter(kind="snapshot_create").first()
    op = run(op, sandbox, advance=30)
    assert op.status == "succeeded", op.error
    sandbox.advance(60)  # the next run gets another minute in its name
    return op


def test_pruning_deletes_only_the_schedules_own_oldest(alice, servers, sandbox, queued):
    server = servers[2]  # db-primary: no snapshots; the provider allows three
    mine = SnapshotSchedule.objects.create(
        server=server, keep=1, created_by=alice, created_by_name="alice"
    )
    take_outside(server, "by hand, older than the schedule")
    sandbox.advance(30)
    first = _scheduled_run(mine, sandbox)
    # Within retention: nothing to prune (the manual one is not the schedule's).
    assert tasks.run_snapshot_schedules() == 0
    second = _scheduled_run(mine, sandbox)
    assert ScheduledSnapshot.objects.filter(schedule=mine).count() == 2

    assert tasks.run_snapshot_schedules() == 1  # one deletion
    deletion = Operation.objects.get(kind="snapshot_delete")
    assert deletion.input["snap_id"] == first.result["snap_id"]
    deletion = run(deletion, sandbox)
    assert deletion.status == "succeeded", deletion.error
    left = {s.display_name: s.id for s in snapshots_of(server)}
    assert "by hand, older than the schedule" in left
    assert second.result["snap_id"] in left.values()
    assert first.result["snap_id"] not in left.values()
    assert list(ScheduledSnapshot.objects.values_list("snap_id", flat=True)) == [
        second.result["snap_id"]
    ]
    assert tasks.run_snapshot_schedules() == 0  # nothing more to prune
    assert calls(sandbox, "DELETE /servers/{id}/snapshot/{snap_id}") == 1


def test_a_schedules_snapshot_deleted_by_someone_is_forgotten(alice, servers, sandbox, queued):
    server = servers[2]
    mine = SnapshotSchedule.objects.create(
        server=server, keep=1, created_by=alice, created_by_name="alice"
    )
    first = _scheduled_run(mine, sandbox)
    _scheduled_run(mine, sandbox)
    from panel.connections.services import api

    with api(server.connection) as client:
        client.snapshots.delete(server.srv_id, first.result["snap_id"])
    assert tasks.run_snapshot_schedules() == 0  # nothing left to prune
    assert ScheduledSnapshot.objects.filter(schedule=mine).count() == 1
    assert calls(sandbox, "DELETE /servers/{id}/snapshot/{snap_id}") == 1


# --- the form ----------------------------------------------------------------------------


def save(client, server, **data):
    values = {"enabled": "on", "frequency": "weekly", "weekday": "5", "hour": "4", "keep": "2"}
    values.update(data)
    values = {k: v for k, v in values.items() if v is not None}
    return client.post(
        reverse("snapshots:schedule", args=[server.pk]), values, HTTP_HX_REQUEST="true"
    )


def test_bob_sets_a_weekly_schedule(bob_client, bob, servers, sandbox):
    response = save(bob_client, servers[0])
    assert response.status_code == 200
    assert "Saved: Every Saturday at 04:00, keeping 2." in response.text
    saved = SnapshotSchedule.objects.get(server=servers[0])
    assert (saved.frequency, saved.weekday, saved.hour, saved.keep) == ("weekly", 5, 4, 2)
    assert saved.created_by == bob and saved.enabled
    local = timezone.localtime(saved.next_run_at)
    assert (local.weekday(), local.hour, local.minute) == (5, 4, 0)
    assert calls(sandbox, "POST /servers/{id}/snapshot") == 0


def test_bob_turns_the_schedule_off(bob_client, servers):
    save(bob_client, servers[0])
    response = save(bob_client, servers[0], enabled=None)
    assert "Scheduled snapshots are off for this server." in response.text
    saved = SnapshotSchedule.objects.get(server=servers[0])
    assert not saved.enabled and saved.next_run_at is None
    SnapshotSchedule.objects.filter(pk=saved.pk).update(next_run_at=timezone.now())
    assert tasks.run_snapshot_schedules() == 0  # off means off


@pytest.mark.parametrize("field,value", [("keep", "0"), ("keep", "11"), ("hour", "24")])
def test_a_bad_schedule_is_refused(bob_client, servers, field, value):
    response = save(bob_client, servers[0], **{field: value})
    assert response.status_code == 422
    assert not SnapshotSchedule.objects.exists()


def test_a_viewer_cannot_set_a_schedule(client, alice, servers):
    from panel.grants import services as grant_services

    viewer = alice.__class__.objects.create_user("viewer", password="x")
    grant_services.grant(alice, viewer, ["server.view", "snapshot.view"], server=servers[0])
    client.force_login(viewer)
    assert save(client, servers[0]).status_code == 403
    assert not SnapshotSchedule.objects.exists()
