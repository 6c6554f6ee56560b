"""Snapshot tests: helpers to run an operation's tasks in the test's own thread, and a real
Celery worker on the real Redis for the tests that need one (see worker below)."""

from __future__ import annotations

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from panel.celery import app
from panel.connections.services import api
from panel.operations import tasks as operation_tasks
from panel.operations.models import Operation

# This run's own queue: another run on the same Redis cannot take these tasks (nor this
# worker theirs). Operations are queued on the default queue, so the tests point it here.
QUEUE = f"panel-tests-snapshots-{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True)
def own_queue(monkeypatch, settings):
    settings.CELERY_TASK_DEFAULT_QUEUE = QUEUE
    monkeypatch.setattr(app.conf, "task_default_queue", QUEUE)


@pytest.fixture
def queued(request, monkeypatch):
    """Tasks are recorded instead of sent (tests without a worker run them by hand)."""
    sent = []

    def record(task):
        def apply_async(args=(), kwargs=None, **options):
            sent.append((task.name, tuple(args)))

        return apply_async

    for task in (operation_tasks.run_operation, operation_tasks.follow_operation):
        monkeypatch.setattr(task, "apply_async", record(task))
    return sent


def run(op: Operation, sandbox=None, *, advance: float = 0, checks: int = 1) -> Operation:
    """run_operation then `checks` follow_operation calls, here and now; the sandbox clock
    moves `advance` seconds between the write and the first check."""
    operation_tasks.run_operation(op.pk)
    if advance and sandbox is not None:
        sandbox.advance(advance)
    for _ in range(checks):
        operation_tasks.follow_operation(op.pk)
    op.refresh_from_db()
    return op


def snapshots_of(server):
    with api(server.connection) as client:
        return client.snapshots.list(server.srv_id)


def take_outside(server, name: str) -> None:
    """A snapshot taken at the provider directly, not through the panel."""
    with api(server.connection) as client:
        client.snapshots.create(server.srv_id, name)


@pytest.fixture
def worker(transactional_db):
    # Threads share the file SQLite test database, so the worker sees committed rows.
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=[QUEUE]
    ) as worker:
        yield worker


def wait_for(condition, timeout=15.0, step=0.05):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail("the worker did not finish in time")
        time.sleep(step)
    return value
