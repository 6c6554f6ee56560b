"""The mirror refresh: TTL, coalescing across threads, missing vs purged, bulk speed."""

from __future__ import annotations

import threading
import time
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
from panel.core.locks import CacheLock
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
    assert server.status in MirroredServer.Status.values
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


def _connection_to(app: SandboxApp, monkeypatch) -> Connection:
    """A connection to `app` instead of the suite's sandbox, added like an admin would."""
    import requests

    from panel.connections import transport
    from terrahost_client.sandbox import mount

    def factory():
        session = requests.Session()
        mount(session, app, "http://sandbox.test")
        return session

    monkeypatch.setattr(transport, "session_factory", factory)
    return services.add_connection(
        services.NewConnection(name="Other", username="demo", password="demo", base_url=API_URL)
    )


def test_it_refreshes_5000_servers_in_bulk(db, monkeypatch):
    """5,000 servers: a constant number of pages upstream and batched SQL, never one
    query per server."""
    big = SandboxApp(seed=2, servers=5000)
    conn = _connection_to(big, monkeypatch)
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


def test_a_refresh_that_finds_nothing_changed_rewrites_no_row(connection, servers, sandbox):
    hashes = dict(MirroredServer.objects.values_list("srv_id", "raw_hash"))
    with CaptureQueriesContext(db_connection) as ctx:
        assert mirror.refresh_connection(_stale(connection)).action == "refreshed"
    assert not [q for q in ctx.captured_queries if "INSERT" in q["sql"]]
    assert dict(MirroredServer.objects.values_list("srv_id", "raw_hash")) == hashes
    assert all(row.last_seen_at > servers[0].last_seen_at for row in MirroredServer.objects.all())


def test_a_refresh_rewrites_only_the_rows_of_servers_that_changed(connection, servers, sandbox):
    hashes = dict(MirroredServer.objects.values_list("srv_id", "raw_hash"))
    with services.api(connection) as client:
        client.servers.rename(servers[0].srv_id, "renamed")
    mirror.refresh_connection(_stale(connection))
    now = dict(MirroredServer.objects.values_list("srv_id", "raw_hash"))
    assert [srv_id for srv_id in now if now[srv_id] != hashes[srv_id]] == [servers[0].srv_id]
    assert MirroredServer.objects.get(pk=servers[0].pk).name == "renamed"


def test_an_api_that_ignores_page_fails_the_refresh_and_marks_nothing_missing(db, monkeypatch):
    """Page 1 passed off as the whole list would mark every later server missing, and in
    time purge them with their grants: the listing fails instead, and the mirror stays."""
    app = SandboxApp(seed=1, servers=250)
    conn = _connection_to(app, monkeypatch)
    assert mirror.refresh_connection(conn).action == "refreshed"
    app.state.ignore_page = True  # from now on, as an API that does not honour `page`
    assert mirror.refresh_connection(_stale(conn)).action == "failed"
    assert MirroredServer.objects.filter(connection=conn, missing_since=None).count() == 250


@pytest.mark.django_db(transaction=True)
def test_20_requests_that_find_a_never_listed_connection_make_one_upstream_refresh(
    connection, alice, sandbox
):
    """Coalescing across threads through the real Redis lock: 20 page views at once on a
    connection never listed -> exactly one GET /servers."""
    _stale(connection)
    # Never listed: every page view waits for the first listing, coalesced on the lock (a
    # connection listed before is refreshed in the background: test_background_refresh).
    Connection.objects.filter(pk=connection.pk).update(servers_refreshed_at=None)
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


# --- waiting for another process's refresh -------------------------------------------------


@pytest.fixture
def refresh_in_progress(connection, settings):
    """Another process holds the connection's refresh lock (e.g. stuck on an upstream
    timeout); PANEL_MIRROR_WAIT is long, so a wait for it would show."""
    settings.PANEL_MIRROR_WAIT = 60
    lock = CacheLock(mirror.lock_name(connection.pk), timeout=120)
    assert lock.acquire()
    yield lock
    lock.release()


def test_a_listed_connection_shows_its_last_list_instead_of_waiting(
    connection, sandbox, refresh_in_progress
):
    before = calls(sandbox, "GET /servers")
    started = time.monotonic()
    outcome = mirror.refresh_connection(_stale(connection))
    assert outcome.action == "busy"
    assert time.monotonic() - started < 30  # LISTED_WAIT, far from PANEL_MIRROR_WAIT
    assert calls(sandbox, "GET /servers") == before


def test_a_connection_never_listed_waits_for_its_first_listing(
    connection, sandbox, refresh_in_progress
):
    """Nothing to show yet: it waits past LISTED_WAIT for the other process to finish."""
    Connection.objects.filter(pk=connection.pk).update(servers_refreshed_at=None)
    done = threading.Timer(mirror.LISTED_WAIT + 1, refresh_in_progress.release)
    done.start()
    try:
        outcome = mirror.refresh_connection(_stale(connection))
    finally:
        done.cancel()
    assert outcome.action == "waited"


# --- purge safety ---------------------------------------------------------------------------


def _hide(sandbox, *servers, seconds=10**6):
    sandbox.set_faults({"hide_server": [{"srv_id": s.srv_id, "seconds": seconds} for s in servers]})


def test_the_purge_keeps_servers_of_a_connection_that_has_not_listed_since(
    connection, servers, bob
):
    """A connection waiting for a 2FA code over a weekend: its servers were missing on
    Friday, nothing has been listed since, so nothing (and no grant) is removed."""
    from panel.grants.models import Grant
    from panel.servers.tasks import purge_missing_servers

    friday = timezone.now() - timedelta(days=3)
    MirroredServer.objects.filter(pk=servers[0].pk).update(missing_since=friday)
    Connection.objects.filter(pk=connection.pk).update(
        auth_state=Connection.AuthState.NEEDS_REAUTH, servers_refreshed_at=friday
    )
    assert purge_missing_servers() == 0
    assert MirroredServer.objects.filter(pk=servers[0].pk).exists()
    assert Grant.objects.filter(user=bob, server=servers[0]).exists()


def test_the_purge_removes_a_server_that_stayed_absent_through_successful_listings(
    connection, servers, sandbox, settings
):
    settings.PANEL_MIRROR_PURGE_AFTER = 3600
    _hide(sandbox, servers[0])
    mirror.refresh_connection(_stale(connection))
    MirroredServer.objects.filter(pk=servers[0].pk).update(
        missing_since=timezone.now() - timedelta(seconds=3601)
    )
    # Listings kept coming (no gap) and kept leaving it out.
    Connection.objects.filter(pk=connection.pk).update(
        servers_refreshed_at=timezone.now() - timedelta(seconds=30)
    )
    assert mirror.refresh_connection(_stale(connection)).action == "refreshed"
    assert not MirroredServer.objects.filter(pk=servers[0].pk).exists()
    assert MirroredServer.objects.filter(connection=connection).count() == 7


def test_time_without_listings_does_not_count_towards_an_absence(
    connection, servers, sandbox, settings
):
    """Missing on Friday, no listing until Monday (2FA code), still hidden in Monday's
    first listing: kept, and its absence starts counting again from Monday."""
    from panel.servers.tasks import purge_missing_servers

    friday = timezone.now() - timedelta(days=3)
    MirroredServer.objects.filter(pk=servers[0].pk).update(missing_since=friday)
    Connection.objects.filter(pk=connection.pk).update(servers_refreshed_at=friday)
    _hide(sandbox, servers[0])
    assert mirror.refresh_connection(_stale(connection)).action == "refreshed"
    row = MirroredServer.objects.get(pk=servers[0].pk)
    assert timezone.now() - row.missing_since < timedelta(minutes=1)
    assert purge_missing_servers() == 0
    # Shown again by the next listing: restored.
    sandbox.set_faults({})
    mirror.refresh_connection(_stale(connection))
    assert MirroredServer.objects.get(pk=servers[0].pk).missing_since is None


def test_a_failed_listing_purges_nothing(connection, servers, sandbox):
    from panel.servers.tasks import purge_missing_servers

    long_ago = timezone.now() - timedelta(days=2)
    MirroredServer.objects.filter(pk=servers[0].pk).update(missing_since=long_ago)
    Connection.objects.filter(pk=connection.pk).update(servers_refreshed_at=long_ago)
    sandbox.set_faults({"error_rate": 1.0})
    assert mirror.refresh_connection(_stale(connection)).action == "failed"
    assert purge_missing_servers() == 0
    assert MirroredServer.objects.filter(connection=connection).count() == 8


# --- an empty GET /servers ------------------------------------------------------------------


def test_one_empty_list_marks_nothing_missing_and_warns(connection, servers, sandbox):
    before = Connection.objects.get(pk=connection.pk)
    _hide(sandbox, *servers)
    outcome = mirror.refresh_connection(_stale(connection))
    assert outcome.action == "empty"
    assert outcome.error == mirror.EMPTY_LIST_WARNING
    assert MirroredServer.objects.filter(connection=connection, missing_since=None).count() == 8
    conn = Connection.objects.get(pk=connection.pk)
    assert conn.last_error == mirror.EMPTY_LIST_WARNING
    assert conn.servers_checked_at is not None  # an attempt: the TTL applies
    assert conn.servers_refreshed_at == before.servers_refreshed_at  # not a listing


def test_an_empty_list_cannot_purge(connection, servers, sandbox):
    from panel.servers.tasks import purge_missing_servers

    long_ago = timezone.now() - timedelta(days=2)
    MirroredServer.objects.filter(pk=servers[0].pk).update(missing_since=long_ago)
    Connection.objects.filter(pk=connection.pk).update(servers_refreshed_at=long_ago)
    _hide(sandbox, *servers)
    assert mirror.refresh_connection(_stale(connection)).action == "empty"
    assert purge_missing_servers() == 0
    assert MirroredServer.objects.filter(connection=connection).count() == 8


def test_a_second_empty_list_a_ttl_later_is_believed(connection, servers, sandbox, settings):
    _hide(sandbox, *servers)
    assert mirror.refresh_connection(_stale(connection)).action == "empty"
    # Asked again at once ("Try again"): still one suspicious answer, the clock is kept.
    first_at = Connection.objects.get(pk=connection.pk).last_error_at
    assert mirror.refresh_connection(connection, force=True).action == "empty"
    assert Connection.objects.get(pk=connection.pk).last_error_at == first_at
    assert not MirroredServer.objects.filter(missing_since__isnull=False).exists()
    # A TTL later, empty again: the account really lists nothing now.
    Connection.objects.filter(pk=connection.pk).update(
        last_error_at=first_at - timedelta(seconds=settings.PANEL_MIRROR_TTL)
    )
    assert mirror.refresh_connection(_stale(connection)).action == "refreshed"
    assert MirroredServer.objects.filter(connection=connection, missing_since=None).count() == 0
    assert MirroredServer.objects.filter(connection=connection).count() == 8  # not deleted
    conn = Connection.objects.get(pk=connection.pk)
    assert conn.last_error == ""
    # From then on an empty list matches the mirror: a plain successful listing.
    assert mirror.refresh_connection(_stale(conn)).action == "refreshed"


def test_a_listing_between_two_empty_answers_restarts_the_count(connection, servers, sandbox):
    _hide(sandbox, *servers)
    assert mirror.refresh_connection(_stale(connection)).action == "empty"
    sandbox.set_faults({})
    assert mirror.refresh_connection(_stale(connection)).action == "refreshed"
    _hide(sandbox, *servers)
    assert mirror.refresh_connection(_stale(connection)).action == "empty"


# --- Redis outage ---------------------------------------------------------------------------


def dead_cache():
    """CACHES pointed at a port nothing listens on (the suite's Redis stays untouched)."""
    import socket

    from django.conf import settings
    from django.test import override_settings

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    caches = {"default": {**settings.CACHES["default"], "LOCATION": f"redis://127.0.0.1:{port}/0"}}
    return override_settings(CACHES=caches)


def test_without_redis_it_refreshes_without_the_lock(connection, sandbox, caplog):
    before = calls(sandbox, "GET /servers")
    with dead_cache():
        outcome = mirror.refresh_connection(_stale(connection))
    assert outcome.action == "refreshed"
    assert calls(sandbox, "GET /servers") == before + 1
    assert "without the lock" in caplog.text
    # The TTL (in the database) still holds without Redis.
    with dead_cache():
        conn = Connection.objects.get(pk=connection.pk)
        assert mirror.refresh_connection(conn).action == "fresh"
    assert calls(sandbox, "GET /servers") == before + 1


# --- beat -----------------------------------------------------------------------------------


def test_beat_refreshes_every_half_ttl_and_at_least_every_5_seconds(settings):
    from panel.celery import app, beat_schedule

    assert app.conf.beat_schedule["refresh-stale-mirrors"]["schedule"] == (
        settings.PANEL_MIRROR_TTL / 2
    )
    settings.PANEL_MIRROR_TTL = 120
    assert beat_schedule()["refresh-stale-mirrors"]["schedule"] == 60
    settings.PANEL_MIRROR_TTL = 4
    assert beat_schedule()["refresh-stale-mirrors"]["schedule"] == 5


def test_a_beat_tick_near_the_ttl_refreshes_so_pages_do_not_wait(connection, sandbox, settings):
    """Two ticks (one TTL) after a refresh, a few milliseconds of scheduling jitter must
    not leave the mirror to go stale until the tick after."""
    from panel.servers.tasks import refresh_stale_mirrors

    settings.PANEL_MIRROR_TTL = 30
    Connection.objects.filter(pk=connection.pk).update(
        servers_checked_at=timezone.now() - timedelta(seconds=29.9)
    )
    assert refresh_stale_mirrors() == 1
    # Half a TTL after a refresh (the next tick), nothing to do.
    Connection.objects.filter(pk=connection.pk).update(
        servers_checked_at=timezone.now() - timedelta(seconds=15.1)
    )
    assert refresh_stale_mirrors() == 0


# --- IP addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("192.0.2.9", "4 192.000.002.009"),
        ("192.0.2.10", "4 192.000.002.010"),
        ("2001:db8::1", "6 2001:0db8:0000:0000:0000:0000:0000:0001"),
        ("", ""),
        (None, ""),
        ("not an ip", "9 not an ip"),
    ],
)
def test_ip_sort_key(value, key):
    assert mirror.ip_sort_key(value) == key


def test_it_mirrors_every_address_for_search_and_a_sort_key(connection):
    row = MirroredServer.objects.filter(connection=connection).order_by("srv_id").first()
    addresses = row.ips.split()
    assert addresses[0] == row.primary_ip
    assert len(addresses) > 1, "the first sandbox server has more than one address"
    assert any(":" in address for address in addresses)  # IPv6 too
    assert row.primary_ip_sort == mirror.ip_sort_key(row.primary_ip)
