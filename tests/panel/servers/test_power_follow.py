"""After a power action, the panel follows the server until it settles: the mirror row and
the server.status_changed webhook event see running -> stopped -> running as it happens,
whichever door the action came through."""

from __future__ import annotations

import time

import time_machine

from panel.servers import tasks
from panel.servers.models import MirroredServer

from ..conftest import calls
from .test_power import reboot


def _announced(monkeypatch) -> list:
    from panel.servers import mirror

    seen = []
    monkeypatch.setattr(mirror, "announce_status", lambda row, was: seen.append((was, row.status)))
    return seen


def test_a_reboot_is_followed_until_the_server_is_back(
    bob_client, servers, sandbox, followed_power, monkeypatch, django_capture_on_commit_callbacks
):
    changes = _announced(monkeypatch)
    row = servers[0]
    with django_capture_on_commit_callbacks(execute=True):
        reboot(bob_client, row)
    [(server_id, goal, until)] = followed_power
    assert (server_id, goal) == (row.pk, "on")

    sandbox.advance(3)  # down, on its way back
    tasks.follow_power(server_id, goal, until)
    assert MirroredServer.objects.get(pk=row.pk).status == "stopped"
    assert len(followed_power) == 2  # not settled: read again

    sandbox.advance(30)  # back up
    tasks.follow_power(*followed_power[-1])
    assert MirroredServer.objects.get(pk=row.pk).status == "running"
    assert len(followed_power) == 2  # settled: no more reads
    assert changes == [("running", "stopped"), ("stopped", "running")]
    assert calls(sandbox, "GET /servers/{id}") == 2


def test_it_gives_up_after_its_time(
    bob_client, servers, sandbox, followed_power, django_capture_on_commit_callbacks
):
    row = servers[0]
    with django_capture_on_commit_callbacks(execute=True):
        reboot(bob_client, row)
    server_id, goal, until = followed_power[0]
    sandbox.advance(3)
    with time_machine.travel(until + 1, tick=False):
        tasks.follow_power(server_id, goal, until)
    assert len(followed_power) == 1


def test_a_server_gone_meanwhile_ends_it(followed_power, db):
    tasks.follow_power(999999, "on", time.time() + 60)
    assert followed_power == []
