"""Redis down: the list and the detail still answer (the cache is an optimisation)."""

from __future__ import annotations

from django.urls import reverse

from panel.connections.models import Connection
from tests.panel.conftest import calls

from .conftest import LIVE
from .test_mirror import dead_cache


def test_the_list_answers_while_redis_is_down(alice_client, connection, sandbox):
    """A stale list shows its last known rows; its refresh cannot be queued without Redis
    (the broker), and the page says so instead of waiting for Terrahost."""
    Connection.objects.filter(pk=connection.pk).update(servers_checked_at=None)  # stale
    before = calls(sandbox, "GET /servers")
    with dead_cache():
        response = alice_client.get(reverse("servers:list"))
    assert response.status_code == 200
    assert response.context["result"].page.paginator.count == 8
    assert "The list could not be refreshed just now" in response.text
    assert calls(sandbox, "GET /servers") == before


def test_the_detail_answers_while_redis_is_down(alice_client, servers, sandbox, caplog):
    page = reverse("servers:detail", args=[servers[0].pk])
    live = reverse("servers:detail_live", args=[servers[0].pk])
    with dead_cache():
        responses = [
            alice_client.get(url, headers=LIVE if url == live else {}) for url in [page, live] * 2
        ]
    assert [r.status_code for r in responses] == [200] * 4
    assert all(r.context["detail"].ok for r in responses)
    # Every read is a miss: the page shows the mirror's record, each live part asks upstream.
    assert calls(sandbox, "GET /servers/{id}") == 2
    assert "reading server-detail" in caplog.text


def test_a_change_still_updates_the_row_while_redis_is_down(servers, sandbox):
    with dead_cache():
        servers[0].changed(display_name="changed")
    servers[0].refresh_from_db()
    assert servers[0].display_name == "changed"
