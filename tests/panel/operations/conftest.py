"""A real Celery worker on the real Redis broker for the operation tests, on a queue of
this run's own (another run on the same Redis cannot take these tasks)."""

from __future__ import annotations

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from panel.celery import app

QUEUE = f"panel-tests-operations-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def operation_queue():
    """Every task the code queues (run, follow) goes to this run's queue."""
    before = app.conf.task_default_queue
    app.conf.task_default_queue = QUEUE
    yield QUEUE
    app.conf.task_default_queue = before


@pytest.fixture
def worker(transactional_db, operation_queue):
    # Threads share the file SQLite test database, so the worker sees committed rows.
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=[QUEUE]
    ) as worker:
        yield worker


def wait_for(condition, timeout=30.0, what="the worker to get there"):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)
