"""The graphs page: two sections with period tabs, each loaded lazily by htmx."""

from __future__ import annotations

from django.urls import reverse

from panel.connections.models import Connection
from tests.panel.conftest import calls
from tests.panel.core.test_layout import assert_no_inline_code

BANDWIDTH = "GET /servers/{id}/port_bits"
PACKETS = "GET /servers/{id}/port_upkts"


def _url(server) -> str:
    return reverse("graphs:server", args=[server.pk])


def _section(client, server, kind, query=""):
    """What htmx asks when the section comes on screen or a tab is clicked."""
    return client.get(
        _url(server) + query, headers={"HX-Request": "true", "HX-Target": f"graph-{kind}"}
    )


def test_it_shows_both_sections_without_asking_terrahost(alice_client, servers, sandbox):
    server = servers[0]
    response = alice_client.get(_url(server))
    assert response.status_code == 200
    text = response.text
    assert f"<title>Graphs · {server.display_name}" in text
    # The server's own header, with the Graphs tab current.
    assert f'href="{reverse("servers:detail", args=[server.pk])}">Overview</a>' in text
    assert 'aria-current="page">Graphs</a>' in text
    assert "Bandwidth" in text and "Packets" in text
    for label in ("Last day", "Last week", "Last month", "Last year"):
        assert text.count(f">{label}</a>") == 2
    assert text.count('hx-trigger="revealed"') == 2
    # Without JavaScript the images load by themselves.
    assert f'<noscript><img src="/servers/{server.pk}/graphs/bandwidth/day.png"' in text
    assert 'alt="Packets, last day" loading="lazy"' in text
    assert calls(sandbox, BANDWIDTH) == calls(sandbox, PACKETS) == 0
    assert_no_inline_code(text, "graphs page")


def test_a_section_loads_its_graph(alice_client, servers, sandbox):
    response = _section(alice_client, servers[0], "bandwidth")
    assert response.status_code == 200
    text = response.text
    assert "<html" not in text and "Packets" not in text
    assert '<div id="graph-bandwidth"' in text
    assert f'src="/servers/{servers[0].pk}/graphs/bandwidth/day.png"' in text
    assert 'alt="Bandwidth, last day"' in text
    assert 'aria-current="true">Last day</a>' in text
    assert calls(sandbox, BANDWIDTH) == 1 and calls(sandbox, PACKETS) == 0
    assert_no_inline_code(text, "graph section")


def test_a_tab_shows_its_period_and_keeps_the_other_section(alice_client, servers, sandbox):
    response = _section(alice_client, servers[0], "packets", "?bandwidth=year&packets=week")
    text = response.text
    assert 'aria-current="true">Last week</a>' in text
    assert 'alt="Packets, last week"' in text
    assert "/graphs/packets/week.png" in text
    # Every tab link keeps the bandwidth section's period for a reload without JS.
    assert "?bandwidth=year&amp;packets=month" in text
    assert calls(sandbox, PACKETS) == 1


def test_an_unknown_period_shows_the_last_day(alice_client, servers):
    text = _section(alice_client, servers[0], "bandwidth", "?bandwidth=decade").text
    assert 'aria-current="true">Last day</a>' in text


def test_four_tabs_ask_terrahost_once(alice_client, servers, sandbox):
    for period in ("day", "week", "month", "year"):
        text = _section(alice_client, servers[0], "bandwidth", f"?bandwidth={period}").text
        assert f"/graphs/bandwidth/{period}.png" in text
    assert calls(sandbox, BANDWIDTH) == 1


def test_a_failing_graph_says_so_in_its_place(alice_client, servers, sandbox):
    sandbox.set_faults({"error_rate": 1.0, "routes": [BANDWIDTH]})
    response = _section(alice_client, servers[0], "bandwidth")
    assert response.status_code == 200
    text = response.text
    assert "The bandwidth graph could not be loaded just now." in text
    assert "Terrahost had a problem answering" in text  # admins read why
    assert 'hx-disabled-elt="this">Try again</button>' in text
    assert "<img" not in text
    assert_no_inline_code(text, "failed graph")
    # Failures are not cached: "Try again" asks again, and works once Terrahost does.
    sandbox.set_faults({})
    assert "<img" in _section(alice_client, servers[0], "bandwidth").text


def test_customers_read_the_failure_in_plain_words_only(bob_client, servers, sandbox):
    sandbox.set_faults({"error_rate": 1.0})
    text = _section(bob_client, servers[0], "packets").text
    assert "The packets graph could not be loaded just now." in text
    assert "Terrahost" not in text


def test_a_connection_waiting_for_an_admin_says_so(alice_client, connection, servers, sandbox):
    Connection.objects.filter(pk=connection.pk).update(auth_state="needs_reauth")
    text = _section(alice_client, servers[0], "bandwidth").text
    assert "could not be loaded just now" in text
    assert "fresh code" in text
    assert calls(sandbox, BANDWIDTH) == 0


def test_it_answers_403_without_graphs_view_and_asks_nothing(client, dave, servers, sandbox):
    client.force_login(dave)
    assert client.get(_url(servers[0])).status_code == 403
    assert _section(client, servers[0], "bandwidth").status_code == 403
    assert calls(sandbox, BANDWIDTH) == 0


def test_it_answers_404_for_a_server_the_user_may_not_see(bob_client, charlie_client, servers):
    assert bob_client.get(_url(servers[2])).status_code == 404
    assert charlie_client.get(_url(servers[0])).status_code == 404


def test_it_answers_only_get(alice_client, servers):
    assert alice_client.post(_url(servers[0])).status_code == 405
