"""A stale list shows at once and refreshes in the background: the page says how old it is,
many views queue one refresh, the table polls its own URL and swaps the fresh rows in.
Only a connection never listed is waited for. Without Redis or workers the stale rows
still show, with a word that the refresh could not start."""

from __future__ import annotations

import html
import re
import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection as db_connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from panel.connections.models import Connection
from panel.connections.services import api
from panel.core.locks import CacheLock
from panel.core.workers import WORKERS_ALIVE_KEY
from panel.servers import mirror, refresh, tasks
from tests.panel.conftest import calls, wait_for

from .test_mirror import dead_cache

URL = reverse("servers:list")
# What htmx sends when the element that polls (views.REFRESH_POLL) asks.
POLL = {"HX-Request": "true", "HX-Target": "server-table", "HX-Trigger": "server-refresh"}


def _stale(connection, listed_minutes_ago: int = 5) -> None:
    then = timezone.now() - timedelta(minutes=listed_minutes_ago)
    Connection.objects.filter(pk=connection.pk).update(
        servers_checked_at=then, servers_refreshed_at=then
    )


def _rename_upstream(row, name: str) -> None:
    """As someone renaming the server at Terrahost, behind the panel's back."""
    with api(row.connection) as client:
        client.servers.rename(row.srv_id, name)


def _words(response) -> str:
    return response.text.replace("\xa0", " ")  # "5 minutes": a no-break space


def _poll_url(response) -> str:
    poller = re.search(r'<p id="server-refresh"[^>]* hx-get="([^"]+)"', response.text)
    assert poller, "the page does not poll"
    return html.unescape(poller.group(1))


def test_a_stale_list_shows_at_once_and_says_how_old_it_is(
    alice_client, connection, servers, sandbox, queued_refreshes
):
    _stale(connection)
    before = calls(sandbox, "GET /servers")
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert calls(sandbox, "GET /servers") == before  # the page did not wait for upstream
    assert response.context["result"].page.paginator.count == 8
    assert "Updated 5 minutes ago. Fetching the latest list…" in _words(response)
    assert queued_refreshes == [connection.pk]


def test_many_views_of_a_stale_list_queue_one_refresh(
    alice_client, bob, connection, servers, queued_refreshes
):
    _stale(connection)
    customer = Client()
    customer.force_login(bob)
    for client in (alice_client, customer, alice_client):
        assert client.get(URL).status_code == 200
    assert queued_refreshes == [connection.pk]
    tasks.refresh_connection(connection.pk)  # the worker: refreshed, and no longer queued
    _stale(connection)
    alice_client.get(URL)
    assert queued_refreshes == [connection.pk, connection.pk]


@pytest.mark.django_db(transaction=True)
def test_20_views_at_once_of_a_stale_list_queue_one_refresh(
    alice, connection, sandbox, queued_refreshes
):
    _stale(connection)
    login = Client()
    login.force_login(alice)
    before = calls(sandbox, "GET /servers")
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def view():
        try:
            client = Client()
            client.cookies["sessionid"] = login.cookies["sessionid"].value
            barrier.wait()
            statuses.append(client.get(URL).status_code)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=view) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 20
    assert queued_refreshes == [connection.pk]
    assert calls(sandbox, "GET /servers") == before


def test_the_table_polls_its_own_url_and_swaps_the_fresh_rows_in(
    alice_client, connection, servers, sandbox, queued_refreshes
):
    _stale(connection)
    page = alice_client.get(URL, {"q": "web", "sort": "-ip"})
    poll = _poll_url(page)
    assert poll == f"{URL}?q=web&sort=-ip"  # the search and the sort stay
    _rename_upstream(servers[0], "web-renamed")
    before = calls(sandbox, "GET /servers")

    waiting = alice_client.get(poll, headers=POLL)
    assert waiting.status_code == 204  # htmx swaps nothing and polls again
    assert calls(sandbox, "GET /servers") == before

    tasks.refresh_connection(connection.pk)
    done = alice_client.get(poll, headers=POLL)
    assert done.status_code == 286  # htmx swaps this in and stops polling
    assert done.text.lstrip().startswith('<div id="server-table"')
    assert "web-renamed" in done.text
    assert 'id="server-refresh"' not in done.text
    assert '<span id="server-count" hx-swap-oob="innerHTML">' in done.text
    assert done.context["result"].sort == "ip" and done.context["result"].descending
    assert calls(sandbox, "GET /servers") == before + 1  # the worker's, none of the page's


def test_a_poll_waits_while_another_process_refreshes(
    alice_client, connection, servers, queued_refreshes
):
    """E.g. beat is refreshing the connection when the page's task found it busy."""
    _stale(connection)
    alice_client.get(URL)
    tasks.forget_queued(connection.pk)
    lock = CacheLock(mirror.lock_name(connection.pk), timeout=60)
    assert lock.acquire()
    try:
        assert alice_client.get(URL, headers=POLL).status_code == 204
    finally:
        lock.release()
    assert alice_client.get(URL, headers=POLL).status_code == 286


def test_a_failed_refresh_brings_its_banner_with_the_rows(
    alice_client, connection, servers, sandbox, queued_refreshes
):
    _stale(connection)
    alice_client.get(URL)
    sandbox.set_faults({"error_rate": 1.0})
    tasks.refresh_connection(connection.pk)
    done = alice_client.get(URL, headers=POLL)
    assert done.status_code == 286
    assert '<div id="server-notices" hx-swap-oob="true">' in done.text
    assert "Terrahost had a problem answering" in done.text
    assert "Try again" in done.text
    assert done.context["result"].page.paginator.count == 8  # the last known rows


def test_customers_see_a_plain_banner_without_the_provider_name(
    bob_client, connection, servers, sandbox, queued_refreshes
):
    _stale(connection)
    sandbox.set_faults({"error_rate": 1.0})
    tasks.refresh_connection(connection.pk)
    response = bob_client.get(URL)
    assert response.status_code == 200
    assert len(response.context["result"].page.object_list) == 2
    assert "could not be updated just now" in response.text
    assert "Terrahost" not in response.text


def test_without_workers_the_stale_rows_show_and_the_page_says_so(
    alice_client, connection, servers, sandbox, queued_refreshes
):
    cache.delete(WORKERS_ALIVE_KEY)  # no heartbeat: no worker takes jobs
    _stale(connection)
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert response.context["result"].page.paginator.count == 8
    assert "Updated 5 minutes ago. The list could not be refreshed just now" in _words(response)
    assert "Try again" in response.text
    assert 'id="server-refresh"' not in response.text  # nothing to wait for
    assert queued_refreshes == []


def test_with_redis_down_the_stale_rows_show_and_the_page_says_so(
    alice_client, connection, servers, sandbox, queued_refreshes
):
    _stale(connection)
    before = calls(sandbox, "GET /servers")
    with dead_cache():
        response = alice_client.get(URL)
    assert response.status_code == 200
    assert response.context["result"].page.paginator.count == 8
    assert "The list could not be refreshed just now" in response.text
    assert calls(sandbox, "GET /servers") == before
    assert queued_refreshes == []


def test_a_broker_that_refuses_the_task_leaves_nothing_marked_queued(
    alice_client, connection, servers, monkeypatch
):
    def refuse(connection_id):
        raise OperationalError("the broker does not answer")

    monkeypatch.setattr(refresh, "_enqueue_refresh", refuse)
    _stale(connection)
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert "The list could not be refreshed just now" in response.text
    assert cache.get(tasks.queued_key(connection.pk)) is None  # the next view tries again


def test_only_a_connection_never_listed_is_waited_for(
    alice_client, connection, servers, sandbox, queued_refreshes
):
    from panel.connections import services as connection_services
    from tests.panel.conftest import API_URL

    _stale(connection)
    connection_services.add_connection(
        connection_services.NewConnection(
            name="New", username="demo", password="demo", base_url=API_URL
        )
    )
    before = calls(sandbox, "GET /servers")
    response = alice_client.get(URL)
    assert calls(sandbox, "GET /servers") == before + 1  # the new one, inline
    assert response.context["result"].page.paginator.count == 16  # its 8 rows are there
    assert queued_refreshes == [connection.pk]  # the stale one, in the background


def test_a_pending_poll_does_not_read_the_servers(
    alice_client, connection, servers, sandbox, queued_refreshes
):
    _stale(connection)
    alice_client.get(URL)
    with CaptureQueriesContext(db_connection) as ctx:
        response = alice_client.get(URL, headers=POLL)
    assert response.status_code == 204
    assert not [q for q in ctx.captured_queries if "servers_mirroredserver" in q["sql"]]


def test_the_task_clears_its_mark_even_for_a_connection_gone(db):
    cache.set(tasks.queued_key(999), True)
    assert tasks.refresh_connection(999) == "gone"
    assert cache.get(tasks.queued_key(999)) is None


def test_a_worker_refreshes_and_the_poll_brings_the_fresh_rows(
    worker, alice_client, connection, servers, sandbox
):
    """The whole way with a real Celery worker on the real Redis broker."""
    _stale(connection)
    _rename_upstream(servers[0], "web-from-the-worker")
    page = alice_client.get(URL)
    assert "web-from-the-worker" not in page.text
    poll = _poll_url(page)
    done = wait_for(
        lambda: (response := alice_client.get(poll, headers=POLL)).status_code == 286 and response,
        what="the worker's refresh",
    )
    assert "web-from-the-worker" in done.text
