"""Fixtures for the panel's tests.

The sandbox is mounted in-process through ONE seam: `panel.connections.transport.
session_factory`, which every Client the panel builds takes its requests.Session from.
Personas, as in healthchecks: alice is a panel admin, bob a customer granted two servers
(Operator), charlie a user without any grant.
"""

from __future__ import annotations

import time
import uuid

import pytest
import requests
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from panel.accounts import sudo
from panel.accounts.models import User
from panel.celery import app
from panel.connections import services as connection_services
from panel.connections import transport
from panel.grants import services as grant_services
from panel.grants.permissions import PRESETS
from panel.servers import mirror
from panel.servers import refresh as server_refresh
from panel.servers.models import MirroredServer
from terrahost_client.sandbox import SandboxApp, mount, totp_code

SANDBOX = "http://sandbox.test"
# This run's own Celery queue: another run on the same Redis cannot take these tasks, nor
# this run's workers take theirs.
QUEUE = f"panel-tests-{uuid.uuid4().hex[:12]}"
API_URL = SANDBOX + "/api/v3"
PASSWORD = "password"


@pytest.fixture
def sandbox():
    """A fresh sandbox per test; read `sandbox.stats()`, call `sandbox.set_faults()`."""
    return SandboxApp(seed=1, servers=8)


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A request in Norwegian leaves the thread's language at nb (LocaleMiddleware does not
    reset it), and pytest-django runs the tests without a database after the others: each
    test starts in the panel's default language, whatever ran before."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def sandbox_transport(monkeypatch, sandbox):
    """Every session the panel makes talks to `sandbox` in-process (other URLs are real)."""

    def factory():
        session = requests.Session()
        mount(session, sandbox, SANDBOX)
        return session

    monkeypatch.setattr(transport, "session_factory", factory)
    return factory


@pytest.fixture(autouse=True)
def panel_settings(settings):
    settings.TERRAHOST_API_URL = API_URL
    settings.PANEL_API_MAX_RETRIES = 1
    settings.PANEL_API_BACKOFF = 0.001
    settings.PANEL_API_RETRY_DEADLINE = 1
    return settings


@pytest.fixture(autouse=True)
def operation_queue(monkeypatch, settings):
    """Every task the code queues (run, follow) goes to this run's own queue."""
    settings.CELERY_TASK_DEFAULT_QUEUE = QUEUE
    monkeypatch.setattr(app.conf, "task_default_queue", QUEUE)
    return QUEUE


@pytest.fixture(autouse=True)
def queued_refreshes(request, monkeypatch):
    """The server list's background refreshes (a stale list queues one) are recorded
    (connection ids) instead of sent to QUEUE, unless the test runs a `worker`: no other
    test consumes them, and a later test's worker would run them against its own sandbox.
    A test runs them itself (tasks.refresh_connection(pk)) as a worker would."""
    sent: list[int] = []
    if "worker" not in request.fixturenames:
        monkeypatch.setattr(server_refresh, "_enqueue_refresh", sent.append)
    return sent


@pytest.fixture(autouse=True)
def followed_power(monkeypatch):
    """Power actions queue a follow-up read of their server (panel.servers.power): recorded
    here as (server id, goal, until) instead, so no worker of a later test reads a server
    of this one. A test runs them itself (tasks.follow_power(*args))."""
    from panel.servers import power

    sent: list[tuple] = []
    monkeypatch.setattr(power, "_enqueue_follow", lambda *args: sent.append(args))
    return sent


@pytest.fixture(autouse=True)
def workers_alive(clean_cache):
    """As if beat and a worker ran: new operations are accepted (see the heartbeat)."""
    from panel.operations.tasks import heartbeat

    heartbeat()


@pytest.fixture
def worker(transactional_db, operation_queue):
    """A real Celery worker (a thread, solo pool) on the real Redis, consuming QUEUE.
    Threads share the file SQLite test database, so the worker sees committed rows."""
    with start_worker(
        app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=[QUEUE]
    ) as running:
        yield running


@pytest.fixture
def queued(monkeypatch):
    """Operations are created but their tasks go nowhere: the ids queued are listed, and a
    test may run the tasks itself (tasks.run_operation(pk)) with no follow-up queued."""
    from panel.operations import services as operation_services
    from panel.operations import tasks

    sent: list[int] = []
    monkeypatch.setattr(operation_services, "_enqueue", lambda op: sent.append(op.pk) or True)
    monkeypatch.setattr(tasks, "_follow_later", lambda *args, **kwargs: None)
    return sent


def wait_for(condition, timeout=30.0, what="the worker to get there"):
    """Poll `condition` until it is true (returned), failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)
    return value


@pytest.fixture(autouse=True)
def clean_cache():
    """The suite's Redis keys (own prefix per run) are wiped around every test."""
    _wipe_cache()
    yield
    _wipe_cache()


def _wipe_cache():
    from django.conf import settings

    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def calls(sandbox, route: str) -> int:
    """How many times the sandbox answered `route` (e.g. "GET /servers"), any status."""
    return sum(sandbox.stats()["calls"].get(route, {}).values())


def totp() -> str:
    return totp_code()


@pytest.fixture
def connection(db):
    """The sandbox's demo account (8 servers), added and mirrored like an admin would."""
    conn = connection_services.add_connection(
        connection_services.NewConnection(
            name="Sandbox", username="demo", password="demo", base_url=API_URL
        )
    )
    mirror.refresh_connection(conn, force=True)
    return conn


@pytest.fixture
def servers(connection):
    return list(MirroredServer.objects.filter(connection=connection).order_by("srv_id"))


@pytest.fixture
def alice(db):
    return User.objects.create_user("alice", "alice@example.org", PASSWORD, is_panel_admin=True)


@pytest.fixture
def bob(db, alice, servers):
    """A customer with the Operator preset on the first two servers."""
    user = User.objects.create_user("bob", "bob@example.org", PASSWORD)
    for server in servers[:2]:
        grant_services.grant(alice, user, PRESETS["operator"], server=server)
    return user


@pytest.fixture
def charlie(db):
    return User.objects.create_user("charlie", "charlie@example.org", PASSWORD)


def log_in(client, user):
    """Log `client` in as `user` as the login page would: in sudo mode for the next
    PANEL_SUDO_MINUTES (panel.accounts.sudo), so reinstall, reveal and connection changes
    do not ask again. A bare force_login() session is asked."""
    client.force_login(user)
    session = client.session
    sudo.confirm(session)
    session.save()
    return client


@pytest.fixture
def alice_client(client, alice):
    return log_in(client, alice)


@pytest.fixture
def bob_client(client, bob):
    return log_in(client, bob)


@pytest.fixture
def charlie_client(client, charlie):
    return log_in(client, charlie)
