from django.urls import reverse

from panel.core import health

URL = reverse("core:status")


def test_it_shows_redis_celery_and_the_connections(alice_client, connection, monkeypatch):
    monkeypatch.setattr(
        "panel.celery.app.control.ping", lambda timeout: [{"celery@web": {"ok": "pong"}}]
    )
    response = alice_client.get(URL)
    assert response.status_code == 200
    text = response.text
    assert "Redis" in text and "Celery worker" in text and "Database" in text
    assert "1 answering: celery@web" in text
    assert "Sandbox" in text
    assert "All systems answer" in text


def test_it_says_when_no_worker_answers(alice_client, db, monkeypatch):
    monkeypatch.setattr("panel.celery.app.control.ping", lambda timeout: [])
    response = alice_client.get(URL)
    assert "No worker answered" in response.text
    assert "Something needs attention" in response.text


def test_it_says_when_the_broker_is_down(monkeypatch):
    def boom(timeout):
        raise ConnectionError("refused")

    monkeypatch.setattr("panel.celery.app.control.ping", boom)
    check = health.check_celery()
    assert not check.ok
    assert "broker cannot be reached" in check.detail


def test_it_checks_a_real_redis():
    assert health.check_redis().ok


def test_it_reports_redis_down(settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"
    check = health.check_redis(timeout=0.2)
    assert not check.ok


def test_it_lists_the_connections_health(alice_client, connection, sandbox, monkeypatch):
    from panel.connections.models import Connection
    from panel.servers import mirror

    monkeypatch.setattr("panel.celery.app.control.ping", lambda timeout: [])
    sandbox.set_faults({"error_rate": 1.0})
    Connection.objects.filter(pk=connection.pk).update(servers_checked_at=None)
    mirror.refresh_connection(Connection.objects.get(pk=connection.pk))
    response = alice_client.get(URL)
    assert "Terrahost had a problem answering" in response.text


def test_it_is_for_admins_only(bob_client):
    assert bob_client.get(URL).status_code == 403


def test_healthz_answers_without_login(client, db):
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    assert response.text == "ok"
