"""Two tabs or two people pressing the same button at the same moment: one upstream call,
both see its outcome. Real threads against the sandbox, the lock in the real Redis."""

from __future__ import annotations

import threading
import uuid

import pytest

from panel.audit.models import AuditEntry
from panel.commands.executor import execute
from panel.core.actors import Actor
from panel.grants.access import get_server_for_user
from panel.servers.commands import Power, Rename

from ..conftest import calls


def _press_together(users, row, press):
    """Run press(actor, row) for each user in its own thread, all released at once."""
    barrier = threading.Barrier(len(users))
    outcomes = []

    def worker(user):
        actor = Actor.person(user, address="127.0.0.1")
        own_row = get_server_for_user(user, row.pk)
        barrier.wait()
        try:
            outcomes.append(press(actor, own_row))
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=worker, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes


@pytest.fixture
def slow_sandbox(sandbox):
    sandbox.set_faults({"latency_ms": 300})
    return sandbox


def test_two_people_rebooting_at_once_make_one_call(
    transactional_db, alice, bob, servers, slow_sandbox, settings
):
    settings.PANEL_POWER_COOLDOWN = 0  # the lock alone must do it
    outcomes = _press_together(
        [alice, bob],
        servers[0],
        lambda actor, row: execute(
            Power(actor=actor, server=row, key=uuid.uuid4().hex, power="reboot")
        ),
    )
    assert calls(slow_sandbox, "GET /servers/{id}/reboot") == 1
    assert len(outcomes) == 2 and all(outcome.ok for outcome in outcomes)
    assert sorted(outcome.replayed for outcome in outcomes) == [False, True]
    assert AuditEntry.objects.filter(action="power.reboot").count() == 1


def test_two_tabs_renaming_to_the_same_name_make_one_call(
    transactional_db, alice, bob, servers, slow_sandbox
):
    outcomes = _press_together(
        [bob, bob],
        servers[0],
        lambda actor, row: execute(
            Rename(actor=actor, server=row, key=uuid.uuid4().hex, name="same")
        ),
    )
    assert calls(slow_sandbox, "PUT /servers/{id}/name") == 1
    assert all(outcome.ok for outcome in outcomes)


def test_two_different_names_at_once_are_both_sent_one_after_the_other(
    transactional_db, alice, bob, servers, slow_sandbox
):
    names = iter(["first", "second"])
    lock = threading.Lock()

    def press(actor, row):
        with lock:
            name = next(names)
        return execute(Rename(actor=actor, server=row, key=uuid.uuid4().hex, name=name))

    outcomes = _press_together([bob, bob], servers[0], press)
    assert calls(slow_sandbox, "PUT /servers/{id}/name") == 2
    assert all(outcome.ok for outcome in outcomes)
