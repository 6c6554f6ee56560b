"""The mirror refresh: TTL, coalescing across threads, missing vs purged, bulk speed."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from panel.connections import services
from panel.connections.models import Connection
from panel.servers import mirror
from panel.servers.models import MirroredServer
from terrahost_client.sandbox import SandboxApp
from tests.panel.conftest import API_URL, calls


def _stale(conn: Connection) -> Connection:
    Connection.objects.filter(pk=conn.pk).update(servers_checked_at=None)
    return Connection.objects.get(pk=conn.pk)


def test_it_does_nothing_while_fresh(connection, sandbox, django_assert_num_queries):
    conn = Connection.objects.get(pk=connection.pk)
    with django_assert_num_queries(0):
        assert mirror.refresh_connection(conn).action == "fresh"
    assert calls(sandbox, "GET /servers") == 1


def test_it_mirrors_the_list_fields_and_a_redacted_raw_record(connection):
    server = MirroredServer.objects.filter(connection=connection).order_by("srv_id").first()
    assert server.display_name and server.primary_ip and server.location and server.os_name
    assert server.status in {"running", "stopped", "installing", "rescue", "suspended"}
    assert server.raw["srv_id"] in (server.srv_id, str(server.srv_id))
    for key in ("srv_vnc_password", "srv_vnc_token"):
        assert server.raw.get(key) in ("", None, "********")


def test_it_marks_a_server_missing_then_restores_it(connection, sandbox):
    first = MirroredServer.objects.filter(connection=connection).order_by("srv_id").first()
    sandbox.set_faults({"hide_server": [{"srv_id": first.srv_id, "seconds": 60}]})
    mirror.refresh_connection(_stale(connection))
    first.refresh_from_db()
    assert first.missing_since is not None  # marked, not deleted
    sandbox.set_faults({})
    mirror.refresh_connection(_stale(connection))
    first.refresh_from_db()
    assert first.missing_since is None


def test_it_removes_a_server_only_after_a_long_absence(connection, sandbox, settings):
    first = MirroredServer.objects.filter(connection=connection).order_by("srv_id").first()
    sandbox.set_faults({"hide_server": [{"srv_id": first.srv_id, "seconds": 3600}]})
    mirror.refresh_connection(_stale(connection))
    assert MirroredServer.objects.filter(pk=first.pk).exists()
    MirroredServer.objects.filter(pk=first.pk).update(
        missing_since=timezone.now() - timedelta(seconds=settings.PANEL_MIRROR_PURGE_AFTER + 1)
    )
    mirror.refresh_connection(_stale(connection))
    assert not MirroredServer.objects.filter(pk=first.pk).exists()
    assert MirroredServer.objects.filter(connection=connection).count() == 7


def test_the_periodic_purge_removes_long_missing_servers(connection, settings):
    from panel.servers.tasks import purge_missing_servers

    first = MirroredServer.objects.filter(connection=connection).first()
    MirroredServer.objects.filter(pk=first.pk).update(
        missing_since=timezone.now() - timedelta(days=2)
    )
    assert purge_missing_servers() == 1


def test_the_periodic_refresh_refreshes_only_stale_connections(connection, sandbox):
    from panel.servers.tasks import refresh_stale_mirrors

    assert refresh_stale_mirrors() == 0
    _stale(connection)
    assert refresh_stale_mirrors() == 1
    assert calls(sandbox, "GET /servers") == 2


def test_it_keeps_the_data_and_records_a_plain_error_when_upstream_fails(connection, sandbox):
    sandbox.set_faults({"error_rate": 1.0})
    outcome = mirror.refresh_connection(_stale(connection))
    assert outcome.action == "failed"
    conn = Connection.objects.get(pk=connection.pk)
    assert conn.last_error == "Terrahost had a problem answering; it will be tried again shortly."
    assert MirroredServer.objects.filter(connection=conn, missing_since=None).count() == 8
    # A failure counts as an attempt: the next page view does not hammer upstream.
    before = calls(sandbox, "GET /servers")
    assert mirror.refresh_connection(conn).action == "fresh"
    assert calls(sandbox, "GET /servers") == before


def test_it_clears_the_error_after_a_successful_refresh(connection, sandbox):
    sandbox.set_faults({"timeout_rate": 1.0})
    mirror.refresh_connection(_stale(connection))
    assert Connection.objects.get(pk=connection.pk).last_error
    sandbox.set_faults({})
    mirror.refresh_connection(_stale(connection))
    assert Connection.objects.get(pk=connection.pk).last_error == ""


def test_it_refreshes_5000_servers_in_bulk(db, monkeypatch):
    """5,000 servers: a constant number of pages upstream and batched SQL, never one
    query per server."""
    import requests

    from panel.connections import transport
    from terrahost_client.sandbox import mount

    big = SandboxApp(seed=2, servers=5000)

    def factory():
        session = requests.Session()
        mount(session, big, "http://sandbox.test")
        return session

    monkeypatch.setattr(transport, "session_factory", factory)
    conn = services.add_connection(
        services.NewConnection(name="Big", username="demo", password="demo", base_url=API_URL)
    )
    with CaptureQueriesContext(db_connection) as ctx:
        assert mirror.refresh_connection(conn).action == "refreshed"
    assert MirroredServer.objects.filter(connection=conn).count() == 5000
    # Batches (SQLite caps a statement at 999 parameters: ~85 of them), never 5,000.
    assert len(ctx.captured_queries) < 150
    pages = calls(big, "GET /servers")
    # Again: every row is updated in place, still in batches.
    with CaptureQueriesContext(db_connection) as ctx:
        assert mirror.refresh_connection(_stale(conn)).action == "refreshed"
    assert len(ctx.captured_queries) < 150
    assert calls(big, "GET /servers") == 2 * pages


@pytest.mark.django_db(transaction=True)
def test_20_requests_that_find_a_stale_connection_make_one_upstream_refresh(
    connection, alice, sandbox
):
    """Coalescing across threads through the real Redis lock: 20 page views at once on a
    stale connection -> exactly one GET /servers."""
    _stale(connection)
    # Make the winner's call slow, so that every other request arrives while it holds the lock.
    sandbox.set_faults({"latency_ms": 300})
    login = Client()
    login.force_login(alice)
    cookie = login.cookies["sessionid"].value
    before = calls(sandbox, "GET /servers")
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def view():
        try:
            client = Client()
            client.cookies["sessionid"] = cookie
            barrier.wait()
            statuses.append(client.get(reverse("servers:list")).status_code)
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()
            db_connection.close()

    threads = [threading.Thread(target=view) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert statuses == [200] * 20
    assert calls(sandbox, "GET /servers") - before == 1
