from django.core.cache import cache
from django.urls import reverse

from panel.core.workers import WORKERS_ALIVE_KEY
from panel.operations.tasks import heartbeat
from panel.site import health
from tests.panel.conftest import wait_for

URL = reverse("site:status")


def test_it_shows_redis_the_workers_and_the_connections(alice_client, connection):
    response = alice_client.get(URL)
    assert response.status_code == 200
    text = response.text
    assert "Redis" in text and "Celery workers" in text and "Database" in text
    assert "A worker reported 0 s ago" in text  # the heartbeat (tests/panel/conftest.py)
    assert "Sandbox" in text
    assert "All systems answer" in text


def test_it_never_waits_for_a_live_ping_of_the_workers(alice_client, db, monkeypatch):
    def ping(*args, **kwargs):
        raise AssertionError("the status page pinged the workers")

    monkeypatch.setattr("panel.celery.app.control.ping", ping)
    assert alice_client.get(URL).status_code == 200


def test_it_says_when_no_worker_reported(alice_client, db):
    cache.delete(WORKERS_ALIVE_KEY)
    response = alice_client.get(URL)
    assert "No worker has reported for over 75 s" in response.text
    assert "Something needs attention" in response.text


def test_it_shows_a_real_worker_reporting(worker, alice_client):
    cache.delete(WORKERS_ALIVE_KEY)
    heartbeat.delay()  # what beat queues every 20 s
    wait_for(lambda: cache.get(WORKERS_ALIVE_KEY), what="the worker to run the heartbeat")
    assert "A worker reported" in alice_client.get(URL).text


def test_it_checks_a_real_redis():
    assert health.check_redis().ok


def test_it_reports_redis_down_and_does_not_read_the_heartbeat(settings, db):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    database, redis, workers = health.checks()
    assert database.ok
    assert not redis.ok and "Redis does not answer" in redis.detail
    assert workers.ok is None and workers.detail == "Their heartbeat is kept in Redis."


def test_it_lists_the_connections_health(alice_client, connection, sandbox):
    from panel.connections.models import Connection
    from panel.servers import mirror

    sandbox.set_faults({"error_rate": 1.0})
    Connection.objects.filter(pk=connection.pk).update(servers_checked_at=None)
    mirror.refresh_connection(Connection.objects.get(pk=connection.pk))
    response = alice_client.get(URL)
    assert "Terrahost had a problem answering" in response.text


def test_it_is_for_admins_only(bob_client):
    assert bob_client.get(URL).status_code == 403


def test_healthz_answers_without_login(client, db):
    response = client.get(reverse("site:healthz"))
    assert response.status_code == 200
    assert response.text == "ok"
