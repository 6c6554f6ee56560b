"""Redis stopped with SIGSTOP (it accepts connections but never replies): pages answer from
the database and the API, an action is refused in plain words with nothing sent, an
operation is not queued, /status/ says Redis is down, logging in works; after SIGCONT all
is back. A stuck broker with a healthy cache fails queueing in plain words too.

A redis-server of these tests' own, on a free port, takes the cache (and the locks) or the
broker. No timed assertions: the tests count the real waits on Redis instead (the
breaker's "Redis does not answer" line, once per wait that ended in a timeout): at most
one per request, and none while the breaker is open. Measured times are in the issue's
report (scripts are not part of the suite).
"""

from __future__ import annotations

import signal
import subprocess
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from panel.audit.models import AuditEntry
from panel.celery import app
from panel.core.outcomes import UNAVAILABLE_MESSAGE
from panel.operations.models import Operation
from panel.operations.services import QUEUE_DOWN_MESSAGE
from panel.operations.tasks import heartbeat
from tests.e2e.stack import HOST, free_port, redis_answers, redis_server_binary, wait_until
from tests.panel.conftest import PASSWORD, calls

HTMX = {"HTTP_HX_REQUEST": "true"}
WAITED = "Redis does not answer"  # panel.core.breaker's line, once per wait


@pytest.fixture
def redis_server():
    """A redis-server of our own; always continued and killed at the end."""
    port = free_port()
    proc = subprocess.Popen(
        [redis_server_binary(), "--bind", HOST, "--port", str(port), "--save", ""],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: redis_answers(port), "Redis answering PING")
        yield proc, f"redis://{HOST}:{port}/0"
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.kill()
        proc.wait()


@pytest.fixture
def frozen(redis_server):
    """The cache and the locks on our Redis (with a worker's heartbeat in it), which is then
    stopped. `frozen.resume()` continues it and ends the breaker's pause."""
    proc, url = redis_server
    options = {**settings.CACHES["default"]["OPTIONS"], "breaker_pause": 3600}
    caches = {"default": {**settings.CACHES["default"], "LOCATION": url, "OPTIONS": options}}
    with override_settings(REDIS_URL=url, CACHES=caches):
        heartbeat()  # a worker is taking jobs
        proc.send_signal(signal.SIGSTOP)
        yield Frozen(proc)


class Frozen:
    def __init__(self, proc):
        self.proc = proc

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)
        breaker().open_until = 0.0  # as if the pause were over


def breaker():
    """The cache's breaker (the one its pool's connections share)."""
    return cache._cache._get_connection_pool(write=True).connection_kwargs["retry"]


def take_snapshot(client, row):
    url = reverse("snapshots:take", args=[row.pk])
    return client.post(url, {"name": "before", "idempotency_key": uuid.uuid4().hex}, **HTMX)


def waits(caplog) -> int:
    return sum(WAITED in record.getMessage() for record in caplog.records)


def reboot(client, row):
    url = reverse("servers:reboot", args=[row.pk])
    return client.post(url, {"idempotency_key": uuid.uuid4().hex}, **HTMX)


def test_pages_answer_waiting_on_redis_at_most_once(alice_client, servers, caplog, frozen):
    listing = alice_client.get(reverse("servers:list"))
    assert listing.status_code == 200
    assert listing.context["result"].page.paginator.count == 8
    assert waits(caplog) == 1  # the first cache call waited, and opened the breaker
    detail = alice_client.get(reverse("servers:detail", args=[servers[0].pk]))
    assert detail.status_code == 200 and detail.context["detail"].ok  # from the API
    assert waits(caplog) == 1  # the breaker is open: nothing waited
    # After the pause, one request finds out Redis is still stopped: once.
    breaker().open_until = 0.0
    assert alice_client.get(reverse("servers:list")).status_code == 200
    assert waits(caplog) == 2


def test_an_action_is_refused_in_plain_words_and_nothing_is_sent(
    bob_client, servers, sandbox, caplog, frozen
):
    response = reboot(bob_client, servers[0])
    assert response.status_code == 200
    assert str(UNAVAILABLE_MESSAGE) in response.text
    assert calls(sandbox, "GET /servers/{id}/reboot") == 0
    assert AuditEntry.objects.get(action="power.reboot").result == "refused"
    assert waits(caplog) <= 1


def test_an_operation_is_not_queued_and_the_page_says_so(bob_client, servers, caplog, frozen):
    assert QUEUE_DOWN_MESSAGE in take_snapshot(bob_client, servers[1]).text
    assert not Operation.objects.exists()
    assert waits(caplog) <= 1


def test_status_says_redis_is_down(alice_client, frozen):
    response = alice_client.get(reverse("site:status"))
    assert response.status_code == 200
    assert "Down</span> <strong>Redis</strong>: Redis does not answer within" in response.text
    assert "Unknown</span> <strong>Celery workers" in response.text
    assert "Something needs attention" in response.text


def test_logging_in_works(client, bob, frozen):
    response = client.post(reverse("accounts:login"), {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("servers:list")).status_code == 200


def test_all_is_back_after_sigcont(alice_client, servers, sandbox, caplog, frozen):
    assert str(UNAVAILABLE_MESSAGE) in reboot(alice_client, servers[0]).text
    frozen.resume()
    response = reboot(alice_client, servers[0])
    assert "The server is rebooting" in response.text
    assert calls(sandbox, "GET /servers/{id}/reboot") == 1
    status = alice_client.get(reverse("site:status")).text
    assert "All systems answer" in status and "A worker reported" in status
    assert waits(caplog) == 1  # only the first request waited


@pytest.fixture
def frozen_broker(redis_server, monkeypatch):
    """Celery's broker on our Redis, then stopped; the cache stays on the suite's Redis."""
    proc, url = redis_server
    monkeypatch.setattr(app.conf, "broker_url", url)
    monkeypatch.setattr(app, "_pool", None)  # connections to the suite's broker stay aside
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    proc.send_signal(signal.SIGSTOP)
    yield
    app.pool.force_close_all()


def test_a_stuck_broker_makes_queueing_fail_in_plain_words(
    bob_client, servers, caplog, frozen_broker
):
    assert QUEUE_DOWN_MESSAGE in take_snapshot(bob_client, servers[1]).text
    assert not Operation.objects.exists()  # the row was removed again
    (failure,) = [r for r in caplog.records if "not queued" in r.getMessage()]
    assert "Timeout" in failure.getMessage()  # one wait on the broker, not retried
