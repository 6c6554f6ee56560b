from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from panel.connections.models import Connection
from panel.servers.models import MirroredServer
from tests.panel.conftest import calls

URL = reverse("servers:list")


def _names(response) -> list[str]:
    return [s.display_name for s in response.context["result"].page.object_list]


def test_it_redirects_anonymous_visitors_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_shows_every_server_to_an_admin(alice_client, servers):
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert response.context["result"].page.paginator.count == 8
    for server in servers:
        assert server.display_name in response.text
    assert "Sandbox" in response.text  # the connection column (admins only)


def test_it_shows_a_customer_exactly_their_two_servers(bob_client, servers):
    response = bob_client.get(URL)
    assert response.status_code == 200
    assert sorted(_names(response)) == sorted(s.display_name for s in servers[:2])
    for server in servers[2:]:
        assert f'href="{reverse("servers:detail", args=[server.pk])}"' not in response.text


def test_it_shows_nothing_to_a_user_without_grants(charlie_client, servers):
    response = charlie_client.get(URL)
    assert response.status_code == 200
    assert _names(response) == []
    assert "You have no servers yet" in response.text


def test_it_shows_the_columns_and_status_badges(alice_client, servers):
    server = servers[0]
    response = alice_client.get(URL)
    assert server.primary_ip in response.text
    assert server.location in response.text
    assert server.os_name in response.text
    assert f"status-{server.status}" in response.text


@pytest.mark.parametrize("field", ["label", "name", "primary_ip"])
def test_it_searches_by_name_label_and_ip(alice_client, servers, field):
    target = servers[3]
    value = getattr(target, field)
    response = alice_client.get(URL, {"q": value})
    assert target.display_name in _names(response)
    assert len(_names(response)) < 8


def test_it_searches_only_what_the_user_may_see(bob_client, servers):
    response = bob_client.get(URL, {"q": servers[5].label})
    assert _names(response) == []


def test_it_sorts_by_a_column_both_ways(alice_client, servers):
    up = alice_client.get(URL, {"sort": "ip"})
    down = alice_client.get(URL, {"sort": "-ip"})
    ips_up = [s.primary_ip for s in up.context["result"].page.object_list]
    ips_down = [s.primary_ip for s in down.context["result"].page.object_list]
    assert ips_up == sorted(ips_up)
    assert ips_down == list(reversed(ips_up))
    assert 'aria-sort="ascending"' in up.text
    assert 'aria-sort="descending"' in down.text


def test_it_ignores_an_unknown_sort(alice_client, servers):
    response = alice_client.get(URL, {"sort": "raw; drop table"})
    assert response.status_code == 200
    assert response.context["result"].sort == "name"


def test_it_paginates(alice_client, servers, settings):
    settings.PANEL_SERVERS_PER_PAGE = 3
    first = alice_client.get(URL)
    third = alice_client.get(URL, {"page": 3})
    assert len(_names(first)) == 3
    assert len(_names(third)) == 2
    assert 'rel="next"' in first.text
    assert alice_client.get(URL, {"page": "999"}).status_code == 200


def test_it_renders_only_the_table_for_htmx(alice_client, servers):
    response = alice_client.get(
        URL, {"q": "web"}, headers={"HX-Request": "true", "HX-Target": "server-table"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="server-table"')
    assert "<html" not in response.text
    assert "HX-Request" in response["Vary"]


def test_it_calls_get_servers_once_cold_and_not_at_all_warm(alice_client, alice, sandbox, db):
    from panel.connections import services
    from tests.panel.conftest import API_URL

    services.add_connection(
        services.NewConnection(name="Cold", username="demo", password="demo", base_url=API_URL)
    )
    before = sandbox.stats()["calls"]
    cold = alice_client.get(URL)
    after_cold = sandbox.stats()["calls"]
    warm = alice_client.get(URL)
    after_warm = sandbox.stats()["calls"]
    assert cold.status_code == warm.status_code == 200
    total = lambda stats: sum(sum(v.values()) for v in stats.values())  # noqa: E731
    assert total(after_cold) - total(before) == 1  # one GET /servers (one page of 8)
    assert calls(sandbox, "GET /servers") == 1
    assert total(after_warm) - total(after_cold) == 0


def test_it_refreshes_again_after_the_ttl(alice_client, connection, sandbox):
    assert calls(sandbox, "GET /servers") == 1
    alice_client.get(URL)
    assert calls(sandbox, "GET /servers") == 1
    Connection.objects.filter(pk=connection.pk).update(
        servers_checked_at=timezone.now() - timedelta(seconds=31)
    )
    alice_client.get(URL)
    assert calls(sandbox, "GET /servers") == 2


def test_it_shows_last_known_data_with_a_banner_when_upstream_fails(
    alice_client, connection, sandbox
):
    Connection.objects.filter(pk=connection.pk).update(servers_checked_at=None)
    sandbox.set_faults({"error_rate": 1.0})
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert response.context["result"].page.paginator.count == 8
    assert "Terrahost had a problem answering" in response.text
    assert "Try again" in response.text


def test_customers_see_a_plain_banner_without_the_provider_name(bob_client, connection, sandbox):
    Connection.objects.filter(pk=connection.pk).update(servers_checked_at=None)
    sandbox.set_faults({"error_rate": 1.0})
    response = bob_client.get(URL)
    assert response.status_code == 200
    assert len(_names(response)) == 2
    assert "could not be updated just now" in response.text
    assert "Terrahost" not in response.text


def test_it_shows_a_server_missing_from_one_refresh_as_not_listed(alice_client, servers, sandbox):
    hidden = servers[0]
    sandbox.set_faults({"hide_server": [{"srv_id": hidden.srv_id, "seconds": 60}]})
    Connection.objects.filter(pk=hidden.connection_id).update(servers_checked_at=None)
    response = alice_client.get(URL)
    assert hidden.display_name in _names(response)
    assert "Not listed" in response.text
    hidden.refresh_from_db()
    assert hidden.missing_since is not None


def _fill(connection, count: int) -> None:
    now = timezone.now()
    MirroredServer.objects.filter(connection=connection).delete()
    MirroredServer.objects.bulk_create(
        [
            MirroredServer(
                connection=connection,
                srv_id=100000 + i,
                name=f"srv{100000 + i}.example.net",
                label=f"node-{i:05d}",
                display_name=f"node-{i:05d}",
                primary_ip=f"198.51.{i // 250}.{i % 250}",
                location="DC2",
                type="vps",
                os_name="Debian 12",
                status="running",
                raw={},
                first_seen_at=now,
                last_seen_at=now,
            )
            for i in range(count)
        ],
        batch_size=1000,
    )
    Connection.objects.filter(pk=connection.pk).update(servers_checked_at=now)


def _queries(client, **params) -> int:
    with CaptureQueriesContext(db_connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"q": "node-0", "sort": "-ip", "page": 2}])
def test_its_query_count_does_not_grow_with_the_number_of_servers(
    alice_client, bob_client, connection, alice, bob, params
):
    _fill(connection, 100)
    admin_100 = _queries(alice_client, **params)
    _fill(connection, 5000)
    admin_5000 = _queries(alice_client, **params)
    assert admin_100 == admin_5000
    assert admin_5000 <= 6


def test_a_customers_query_count_does_not_grow_either(client, alice, bob, connection):
    from panel.grants import services as grants
    from panel.grants.permissions import PRESETS

    grants.grant(alice, bob, PRESETS["viewer"], connection=connection)  # survives _fill()
    client.force_login(bob)
    _fill(connection, 100)
    few = _queries(client)
    _fill(connection, 5000)
    many = _queries(client)
    assert client.get(URL).context["result"].page.paginator.count == 5000
    assert few == many <= 6
