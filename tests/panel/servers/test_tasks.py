"""The mirror's Celery tasks, run by a real worker on the real Redis broker."""

import time
import uuid

import pytest
from celery.contrib.testing.worker import start_worker

from panel.celery import app
from panel.connections.models import Connection
from panel.servers import tasks
from panel.servers.models import MirroredServer

from ..conftest import calls

# A queue of this test run's own: another run on the same Redis (a second checkout, a CI
# job next door) cannot take these tasks with its worker, nor this worker take theirs.
QUEUE = f"panel-tests-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def worker(transactional_db):
    # Threads share the file SQLite test database, so the worker sees committed rows.
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=[QUEUE]
    ) as worker:
        yield worker


def wait_for(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the worker did not finish in time")
        time.sleep(0.05)


def test_a_worker_refreshes_a_connection_given_its_id(worker, connection, sandbox):
    before = calls(sandbox, "GET /servers")
    Connection.objects.filter(pk=connection.pk).update(servers_checked_at=None)
    tasks.refresh_connection.apply_async((connection.pk,), queue=QUEUE)
    wait_for(lambda: calls(sandbox, "GET /servers") > before)
    wait_for(lambda: Connection.objects.get(pk=connection.pk).servers_checked_at is not None)
    assert MirroredServer.objects.filter(connection=connection).count() == 8


def test_the_periodic_task_refreshes_stale_mirrors(worker, connection, sandbox):
    before = calls(sandbox, "GET /servers")
    Connection.objects.filter(pk=connection.pk).update(servers_checked_at=None)
    tasks.refresh_stale_mirrors.apply_async(queue=QUEUE)
    wait_for(lambda: calls(sandbox, "GET /servers") == before + 1)
