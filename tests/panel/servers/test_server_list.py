from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from panel.connections.models import Connection
from panel.servers import mirror
from panel.servers.listing import SORTS
from panel.servers.models import MirroredServer
from tests.panel.conftest import calls

URL = reverse("servers:list")


def _names(response) -> list[str]:
    return [s["display_name"] for s in response.context["result"].page.object_list]


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
    ips_up = [s["primary_ip"] for s in up.context["result"].page.object_list]
    ips_down = [s["primary_ip"] for s in down.context["result"].page.object_list]
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


def test_it_shows_a_server_missing_from_one_refresh_as_not_listed(alice_client, servers, sandbox):
    hidden = servers[0]
    sandbox.set_faults({"hide_server": [{"srv_id": hidden.srv_id, "seconds": 60}]})
    mirror.refresh_connection(hidden.connection, force=True)
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
                primary_ip_sort=mirror.ip_sort_key(f"198.51.{i // 250}.{i % 250}"),
                ips=f"198.51.{i // 250}.{i % 250} 203.0.{i // 250}.{i % 250} 2001:db8::{i:x}",
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


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "node-0", "sort": "-ip", "page": 2}, {"q": "203.0.0.1", "sort": "ip"}],
)
def test_its_query_count_does_not_grow_with_the_number_of_servers(
    alice_client, bob_client, connection, alice, bob, params
):
    _fill(connection, 100)
    _queries(alice_client, **params)  # warms the cache (the brand of the host)
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
    _queries(client)  # warms the cache (the brand of the host)
    few = _queries(client)
    _fill(connection, 5000)
    many = _queries(client)
    assert client.get(URL).context["result"].page.paginator.count == 5000
    # The 7th query asks whether the user manages a team (the menu's Teams link).
    assert few == many <= 7


# --- sorting: pages past the middle are read from the end ----------------------------------


@pytest.mark.parametrize("sort", [*SORTS, *(f"-{key}" for key in SORTS)])
def test_pages_read_from_the_end_hold_the_rows_of_the_order_from_the_start(
    alice_client, connection, settings, sort
):
    _fill(connection, 40)
    # Ties on every column but srv_id, in two cases: the order must still be total.
    MirroredServer.objects.filter(srv_id__lt=100010).update(display_name="Twin")
    MirroredServer.objects.filter(srv_id__gte=100030).update(display_name="twin")
    settings.PANEL_SERVERS_PER_PAGE = 1000
    expected = [row["pk"] for row in alice_client.get(URL, {"sort": sort}).context["result"].page]
    settings.PANEL_SERVERS_PER_PAGE = 7  # pages 4 to 6 are read from the end
    pages = [alice_client.get(URL, {"sort": sort, "page": n}) for n in range(1, 7)]
    assert [row["pk"] for page in pages for row in page.context["result"].page] == expected


def test_the_last_page_reads_the_name_index_instead_of_sorting_every_row(alice_client, connection):
    _fill(connection, 5000)
    with CaptureQueriesContext(db_connection) as ctx:
        alice_client.get(URL, {"page": 100})
    (page_query,) = [q["sql"] for q in ctx.captured_queries if "LIMIT 50" in q["sql"]]
    explain = "EXPLAIN QUERY PLAN " if db_connection.vendor == "sqlite" else "EXPLAIN "
    with db_connection.cursor() as cursor:
        if db_connection.vendor == "postgresql":
            cursor.execute("ANALYZE servers_mirroredserver")
        cursor.execute(explain + page_query)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "server_name_sort" in plan
    assert "TEMP B-TREE" not in plan and "Sort Key" not in plan


# --- IP addresses: sorted as numbers, every address searchable ------------------------------


def _store(connection, records: list[dict]) -> None:
    """Mirror these API records, as a GET /servers answer would."""
    from terrahost_client.models import Server

    MirroredServer.objects.filter(connection=connection).delete()
    servers = [Server.from_api(record) for record in records]
    mirror.store_servers(connection, servers, now=timezone.now())


def _record(srv_id: int, primary: str, *extra: str) -> dict:
    ips = [{"ip_address": primary, "ip_type": "primary"}]
    ips += [{"ip_address": address, "ip_type": "extra"} for address in extra]
    return {"srv_id": srv_id, "srv_name": f"node-{srv_id}", "srv_primary_ip": primary, "ips": ips}


def test_the_ip_sort_sorts_addresses_as_numbers(alice_client, connection):
    _store(
        connection,
        [
            _record(1, "192.0.2.10"),
            _record(2, "192.0.2.9"),
            _record(3, "2001:db8::1"),
            _record(4, "192.0.2.100"),
            _record(5, "10.0.0.1"),
        ],
    )
    up = alice_client.get(URL, {"sort": "ip"}).context["result"].page.object_list
    assert [s["primary_ip"] for s in up] == [
        "10.0.0.1",
        "192.0.2.9",
        "192.0.2.10",
        "192.0.2.100",
        "2001:db8::1",
    ]
    down = alice_client.get(URL, {"sort": "-ip"}).context["result"].page.object_list
    assert [s["primary_ip"] for s in down][:2] == ["2001:db8::1", "192.0.2.100"]


@pytest.mark.parametrize("address", ["198.51.100.77", "2001:db8:42::7"])
def test_it_finds_a_server_by_a_secondary_address(alice_client, connection, address):
    _store(
        connection,
        [_record(1, "192.0.2.1", "198.51.100.77", "2001:db8:42::7"), _record(2, "192.0.2.2")],
    )
    assert _names(alice_client.get(URL, {"q": address})) == ["node-1"]


def test_it_finds_a_sandbox_server_by_its_extra_address(alice_client, servers):
    row = next(s for s in servers if len(s.ips.split()) > 1)
    extra = row.ips.split()[1]
    assert extra != row.primary_ip
    assert row.display_name in _names(alice_client.get(URL, {"q": extra}))


def test_bob_still_finds_only_his_servers_by_address(bob_client, servers):
    assert _names(bob_client.get(URL, {"q": servers[5].ips.split()[0]})) == []


# --- htmx: the sort survives a search; one live status --------------------------------------


def _partial(client, **params):
    return client.get(URL, params, headers={"HX-Request": "true", "HX-Target": "server-table"})


def test_the_table_partial_carries_the_current_sort_for_the_next_search(alice_client, servers):
    page = alice_client.get(URL).text
    assert 'id="server-search-form"' in page
    partial = _partial(alice_client, sort="-ip").text
    # Inside the swapped table, bound to the search form: the next search sends it.
    hidden = re.search(r'<input type="hidden" name="sort" value="([^"]*)" form="([^"]*)">', partial)
    assert hidden and hidden.groups() == ("-ip", "server-search-form")
    # The next search (what the form sends) keeps that sort.
    searched = _partial(alice_client, q="web", sort="-ip")
    assert searched.context["result"].sort == "ip" and searched.context["result"].descending
    assert 'value="-ip" form="server-search-form"' in searched.text
    # Back to the default sort: no stale hidden value left behind.
    assert 'name="sort"' not in _partial(alice_client, sort="name").text


def test_the_sort_input_is_rendered_once_on_the_full_page(alice_client, servers):
    page = alice_client.get(URL, {"sort": "-ip"}).text
    assert page.count('name="sort"') == 1
    table = page[page.index('<div id="server-table"') :]
    assert 'name="sort" value="-ip"' in table


def test_one_live_status_announces_the_count_not_the_table(alice_client, servers):
    page = alice_client.get(URL).text
    assert "aria-live" not in page.replace('data-theme-toggle aria-live="polite"', "")
    status = re.findall(r'<p id="server-count"[^>]*role="status"[^>]*>\s*([^<]*?)\s*</p>', page)
    assert status == ["8 servers"]
    partial = _partial(alice_client, q=servers[0].display_name).text
    oob = re.search(
        r'<span id="server-count" hx-swap-oob="innerHTML">\s*([^<]*?)\s*</span>', partial
    )
    assert oob and oob.group(1) == "1 server found"
    assert "aria-live" not in partial


# --- banners --------------------------------------------------------------------------------


def test_a_customer_gets_one_banner_for_several_broken_accounts(client, alice, bob, servers, db):
    from panel.connections import services as connection_services
    from panel.grants import services as grants
    from panel.grants.permissions import PRESETS
    from tests.panel.conftest import API_URL

    other = connection_services.add_connection(
        connection_services.NewConnection(
            name="Second", username="demo", password="demo", base_url=API_URL
        )
    )
    grants.grant(alice, bob, PRESETS["viewer"], connection=other)
    Connection.objects.update(
        auth_state=Connection.AuthState.NEEDS_REAUTH, last_error="x", servers_checked_at=None
    )
    client.force_login(bob)
    text = client.get(URL).text
    assert text.count("cannot be updated until an administrator reconnects") == 1
    assert "Terrahost" not in text


# --- "Try again": the message says what really happened -------------------------------------

REFRESH = reverse("servers:refresh")


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _try_again(client) -> list[str]:
    response = client.post(REFRESH, follow=True)
    assert response.status_code == 200
    return _messages(response)


def _checked_a_while_ago(connection):
    Connection.objects.filter(pk=connection.pk).update(
        servers_checked_at=timezone.now() - timedelta(minutes=5)
    )


def test_try_again_says_refreshed_when_it_was(alice_client, connection, sandbox):
    _checked_a_while_ago(connection)
    before = calls(sandbox, "GET /servers")
    assert _try_again(alice_client) == ["The server list was refreshed."]
    assert calls(sandbox, "GET /servers") == before + 1


def _client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_try_again_says_when_the_refresh_failed(alice_client, bob, connection, sandbox):
    _checked_a_while_ago(connection)
    sandbox.set_faults({"error_rate": 1.0})
    (message,) = _try_again(alice_client)
    assert message.startswith("Sandbox was not refreshed: Terrahost had a problem answering")
    # A customer: plain words, no provider name, no connection name.
    _checked_a_while_ago(connection)
    (message,) = _try_again(_client_for(bob))
    assert "could not be updated just now" in message
    assert "Terrahost" not in message and "Sandbox" not in message


def test_try_again_right_after_a_check_says_it_is_up_to_date(alice_client, connection, sandbox):
    before = calls(sandbox, "GET /servers")  # the fixture listed moments ago
    assert _try_again(alice_client) == [
        "The server list is up to date: it was checked seconds ago."
    ]
    assert calls(sandbox, "GET /servers") == before


def test_try_again_right_after_a_failed_check_says_it_failed(alice_client, connection, sandbox):
    sandbox.set_faults({"error_rate": 1.0})
    mirror.refresh_connection(connection, force=True)  # fails, recorded on the connection
    (message,) = _try_again(alice_client)
    assert "was not refreshed" in message


def test_try_again_says_a_connection_waits_for_an_admin(alice_client, bob, connection):
    Connection.objects.filter(pk=connection.pk).update(auth_state=Connection.AuthState.NEEDS_REAUTH)
    assert _try_again(alice_client) == [
        "Sandbox was not refreshed: it needs a fresh two-factor code."
    ]
    assert _try_again(_client_for(bob)) == [
        "Some of your servers cannot be updated until an administrator reconnects their account."
    ]


def test_try_again_with_nothing_to_refresh(charlie_client):
    assert _try_again(charlie_client) == ["There is no server list to refresh yet."]


def test_try_again_reports_an_empty_answer_as_not_refreshed(alice_client, servers, sandbox):
    sandbox.set_faults({"hide_server": [{"srv_id": s.srv_id, "seconds": 600} for s in servers]})
    _checked_a_while_ago(servers[0].connection)
    (message,) = _try_again(alice_client)
    assert "empty server list" in message


def test_the_second_line_shows_the_label_not_the_name_again(alice_client, servers):
    server = servers[0]
    assert server.display_name == server.name != server.label  # "web-01", "srvNNNN..."
    html = alice_client.get(URL).text
    assert f'<div class="muted small">{server.label}</div>' in html
    assert f'<div class="muted small">{server.name}</div>' not in html
