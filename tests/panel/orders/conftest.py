"""Shared by the ISO and order tests: people with exactly the keys a test needs, a queue
that records instead of sending, and a REAL Celery worker on a queue of this run's own."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from functools import partial

import pytest
from celery.contrib.testing.worker import start_worker

from panel.accounts.models import User
from panel.celery import app
from panel.grants import services as grant_services
from panel.operations import services as operation_services
from panel.operations import tasks
from panel.operations.kinds import KINDS

from ..conftest import PASSWORD

# run_operation is queued on the default queue; another run on the same Redis must not
# take these tasks, nor this worker take theirs (see tests/panel/servers/test_tasks.py).
QUEUE = f"panel-tests-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def person(alice, servers):
    """person(*keys, server=servers[0]): a logged-out user holding exactly these keys."""
    count = iter(range(1000))

    def make(*keys, server=None):
        user = User.objects.create_user(f"dora{next(count)}", "dora@example.org", PASSWORD)
        grant_services.grant(alice, user, ["server.view", *keys], server=server or servers[0])
        return user

    return make


@pytest.fixture
def queued(monkeypatch):
    """Operations are created but their tasks go nowhere: the ids queued are listed, and
    a test may run the task itself (tasks.run_operation(pk)) without a follow-up."""
    sent: list[int] = []
    monkeypatch.setattr(operation_services, "_enqueue", lambda op: sent.append(op.pk) or True)
    monkeypatch.setattr(tasks, "_follow_later", lambda *args, **kwargs: None)
    return sent


@pytest.fixture
def worker(transactional_db, monkeypatch):
    """A real worker (a thread, solo pool) consuming only QUEUE; the operation tasks are
    sent there, and checks come quickly so a test waits seconds, not minutes."""
    for task in (tasks.run_operation, tasks.follow_operation):
        monkeypatch.setattr(task, "apply_async", partial(task.apply_async, queue=QUEUE))
    for name, kind in list(KINDS.items()):
        monkeypatch.setitem(KINDS, name, replace(kind, first_check=0.1, longest_pause=0.3))
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=[QUEUE]
    ) as running:
        yield running


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the worker did not get there in time")
        time.sleep(0.05)
