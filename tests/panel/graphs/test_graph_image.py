"""The graph image: PNG bytes from the panel's own URL, cached per server, kind, period."""

from __future__ import annotations

import base64

import pytest
from django.core.cache import cache
from django.urls import reverse

from panel.graphs.services import cache_key
from tests.panel.conftest import calls
from tests.panel.servers.test_mirror import dead_cache

BANDWIDTH = "GET /servers/{id}/port_bits"
PNG = b"\x89PNG\r\n\x1a\n"


def _url(server, kind="bandwidth", period="day") -> str:
    return reverse("graphs:image", args=[server.pk, kind, period])


def test_it_serves_a_png(alice_client, servers, settings):
    response = alice_client.get(_url(servers[0], "packets", "month"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(PNG)
    assert response["Cache-Control"] == f"private, max-age={settings.PANEL_GRAPH_TTL}"


@pytest.mark.parametrize("data_uri", [True, False])
def test_it_decodes_base64_with_or_without_a_data_prefix(alice_client, servers, sandbox, data_uri):
    sandbox.state.servers[servers[0].srv_id].graph_data_uri = data_uri
    response = alice_client.get(_url(servers[0]))
    assert response.status_code == 200
    assert response.content.startswith(PNG)


def test_one_call_fills_the_four_periods(alice_client, servers, sandbox):
    images = {p: alice_client.get(_url(servers[0], period=p)).content for p in ("day", "week")}
    images |= {p: alice_client.get(_url(servers[0], period=p)).content for p in ("month", "year")}
    assert calls(sandbox, BANDWIDTH) == 1
    assert len(set(images.values())) == 4  # four different images, all PNG
    assert all(png.startswith(PNG) for png in images.values())
    # Each server has its own graphs.
    alice_client.get(_url(servers[1]))
    assert calls(sandbox, BANDWIDTH) == 2


def test_the_cache_lasts_panel_graph_ttl(alice_client, servers, sandbox, settings):
    settings.PANEL_GRAPH_TTL = 120
    alice_client.get(_url(servers[0]))
    redis = cache._cache.get_client()
    for period in ("day", "week", "month", "year"):
        ttl = redis.ttl(cache.make_key(cache_key(servers[0], "bandwidth", period)))
        assert 110 < ttl <= 120
    # Once the entries expire, the next view asks Terrahost again.
    cache.delete_many([cache_key(servers[0], "bandwidth", p) for p in ("day", "week")])
    alice_client.get(_url(servers[0], period="week"))
    assert calls(sandbox, BANDWIDTH) == 2


def test_without_redis_every_view_asks_terrahost(alice_client, servers, sandbox, caplog):
    with dead_cache():
        first = alice_client.get(_url(servers[0]))
        second = alice_client.get(_url(servers[0]))
    assert first.status_code == second.status_code == 200
    assert second.content.startswith(PNG)
    assert calls(sandbox, BANDWIDTH) == 2
    assert "reading graph:" in caplog.text and "as a miss" in caplog.text


def test_a_failing_graph_answers_503_without_caching(alice_client, servers, sandbox):
    sandbox.set_faults({"error_rate": 1.0, "routes": [BANDWIDTH]})
    response = alice_client.get(_url(servers[0]))
    assert response.status_code == 503
    assert response.content == b""
    assert "no-store" in response["Cache-Control"]
    sandbox.set_faults({})
    assert alice_client.get(_url(servers[0])).status_code == 200


def test_an_answer_that_is_not_a_png_is_no_graph(alice_client, servers, sandbox):
    """The bytes are served from the panel's origin: only a real PNG gets through."""
    svg = base64.b64encode(b"<svg onload='alert(1)'/>").decode()
    srv_id = servers[0].srv_id
    sandbox.state.graph_cache[(srv_id, "bits")] = {f"graph_{p}": svg for p in ("day", "week")}
    response = alice_client.get(_url(servers[0]))
    assert response.status_code == 404
    assert b"svg" not in response.content
    headers = {"HX-Request": "true", "HX-Target": "graph-bandwidth"}
    section = alice_client.get(reverse("graphs:server", args=[servers[0].pk]), headers=headers)
    assert "There is no bandwidth graph for the last day yet." in section.text


@pytest.mark.parametrize(
    "kind, period", [("cpu", "day"), ("bandwidth", "decade"), ("Bandwidth", "day")]
)
def test_an_unknown_graph_is_404(alice_client, servers, sandbox, kind, period):
    assert alice_client.get(_url(servers[0], kind, period)).status_code == 404
    assert calls(sandbox, BANDWIDTH) == 0


def test_it_answers_403_without_graphs_view_and_asks_nothing(client, dave, servers, sandbox):
    client.force_login(dave)
    assert client.get(_url(servers[0])).status_code == 403
    assert calls(sandbox, BANDWIDTH) == 0


def test_it_answers_404_for_a_server_the_user_may_not_see(bob_client, charlie_client, servers):
    assert bob_client.get(_url(servers[2])).status_code == 404
    assert charlie_client.get(_url(servers[0])).status_code == 404


def test_a_customer_with_graphs_view_gets_the_image(bob_client, servers):
    assert bob_client.get(_url(servers[1], "packets", "year")).status_code == 200
