from __future__ import annotations

from django.core.cache import cache
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from panel.grants import services as grants
from panel.grants.permissions import PRESETS
from panel.servers.models import detail_cache_key
from tests.panel.conftest import calls

from .conftest import LIVE, open_server_page


def _url(server) -> str:
    return reverse("servers:detail", args=[server.pk])


def _live(server) -> str:
    return reverse("servers:detail_live", args=[server.pk])


def test_the_page_shows_the_mirror_at_once_and_loads_the_rest(alice_client, servers, sandbox):
    row = servers[0]
    before = sandbox.stats()["calls"]
    response = alice_client.get(_url(row))
    assert response.status_code == 200
    assert sandbox.stats()["calls"] == before  # no call: the mirror's record, at once
    text = response.text
    for fact in (row.name, row.label, row.location, row.os_name, *row.ips.split()):
        assert fact in text
    assert ">Reboot</button>" in text  # the actions from the mirror's record too
    assert (
        f'<div id="server-detail-body" class="detail-body" hx-get="{_live(row)}?shown=running" '
        'hx-trigger="load" hx-swap="outerHTML">'
    ) in text
    assert "Loading the latest details" in text
    assert "CPU cores" not in text  # only GET /servers/{id} has the hardware


def test_it_shows_what_get_servers_id_says(alice_client, servers):
    server = servers[0]
    _page, response = open_server_page(alice_client, server)
    assert response.text.lstrip().startswith('<div id="server-detail-body"')  # the body only
    text = response.text
    detail = response.context["detail"].server
    assert detail.id == server.srv_id
    assert "CPU cores" in text and str(detail.cores) in text
    assert "Memory" in text
    assert "Disks" in text
    for ip in detail.ips:
        assert ip.address in text
        if ip.reverse:
            assert ip.reverse in text
    for subnet in detail.subnets:
        assert subnet.cidr in text
    assert "Bandwidth used" in text
    assert detail.location in text
    assert "Created" in text
    assert "hx-trigger" not in text  # loaded: nothing more to fetch


def test_without_javascript_a_link_leads_to_the_whole_page(alice_client, servers):
    page = alice_client.get(_url(servers[0])).text
    assert f'<noscript><p><a href="{_live(servers[0])}">' in page
    response = alice_client.get(_live(servers[0]))
    assert response.status_code == 200
    assert "<html" in response.text and "CPU cores" in response.text


def test_one_call_per_cold_view_and_none_warm(alice_client, servers, sandbox):
    before = sum(sum(counts.values()) for counts in sandbox.stats()["calls"].values())
    open_server_page(alice_client, servers[0])
    after = sum(sum(counts.values()) for counts in sandbox.stats()["calls"].values())
    assert after - before == calls(sandbox, "GET /servers/{id}") == 1  # nothing else
    warm = alice_client.get(_url(servers[0])).text
    assert "CPU cores" in warm and "Loading the latest details" not in warm
    assert calls(sandbox, "GET /servers/{id}") == 1


def test_the_page_reloads_when_the_record_has_another_status(alice_client, servers, sandbox):
    """Changed upstream since the last listing: the live part has the page reload (its
    head and actions follow the status), and the reload needs no call."""
    row = servers[0]
    sandbox.state.servers[row.srv_id].suspended = True
    _page, live = open_server_page(alice_client, row)
    assert live["HX-Refresh"] == "true"
    row.refresh_from_db()
    assert row.status == "suspended"  # the mirror row follows the record
    html = alice_client.get(_url(row)).text
    assert "This server is suspended" in html and ">Reboot</button>" not in html
    assert calls(sandbox, "GET /servers/{id}") == 1
    # Said at once from the updated mirror too, once the detail cache expired.
    cache.delete(detail_cache_key(row))
    page, live = open_server_page(alice_client, row)
    assert "This server is suspended" in page.text and ">Reboot</button>" not in page.text
    assert "HX-Refresh" not in live


def test_its_query_count_does_not_grow_with_the_server(alice_client, alice, servers, sandbox):
    """A server with more addresses and grants costs the same queries, at once and live."""

    def counts(row):
        with CaptureQueriesContext(db_connection) as page:
            alice_client.get(_url(row))
        with CaptureQueriesContext(db_connection) as live:
            alice_client.get(_live(row), {"shown": row.status}, headers=LIVE)
        return len(page), len(live)

    small, large = sorted(servers, key=lambda row: len(row.ips.split()))[:: len(servers) - 1]
    for user in ("u1", "u2", "u3"):
        other = alice.__class__.objects.create_user(user, password="x")
        grants.grant(alice, other, PRESETS["viewer"], server=large)
    assert len(large.ips.split()) > len(small.ips.split())
    alice_client.get(_url(small))  # the site's settings are cached from the first page on
    # The page's 5 + the customers for its "Belongs to" list (admins).
    assert counts(small) == counts(large) == (6, 4)


def test_it_shows_billing_to_holders_of_billing_view_only(bob_client, alice, bob, servers):
    server = servers[0]
    response = bob_client.get(_url(server))  # Operator: no billing.view
    assert response.status_code == 200
    assert "Billing" not in response.text
    grants.grant(alice, bob, PRESETS["manager"], server=server)  # not on one server
    assert "Billing" not in bob_client.get(_url(server)).text
    grants.grant(alice, bob, ["billing.view"], connection=server.connection)
    response = bob_client.get(_url(server))
    assert "Billing" in response.text
    assert "Order number" in response.text
    assert "NOK</dd>" in response.text  # the order's total carries its currency


def test_it_lets_a_customer_open_a_granted_server(bob_client, servers):
    assert bob_client.get(_url(servers[1])).status_code == 200


def test_it_answers_404_for_a_server_the_user_may_not_see(bob_client, charlie, servers):
    for server in servers[2:]:
        response = bob_client.get(_url(server))
        assert response.status_code == 404
        assert "We could not find that page" in response.text


def test_it_answers_404_for_an_unknown_server(alice_client, servers):
    assert alice_client.get(reverse("servers:detail", args=[999999])).status_code == 404


def test_it_sends_anonymous_visitors_to_login(client, servers):
    response = client.get(_url(servers[0]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_caches_the_record_redacted(alice_client, servers):
    open_server_page(alice_client, servers[0])
    cached = cache.get(detail_cache_key(servers[0]))
    assert cached is not None
    ipmi = cached.get("ipmi_session") or {}
    for key in ("kvm_password", "kvm_username"):
        assert ipmi.get(key) in (None, "", "********")
    assert cached.get("srv_vnc_password") in (None, "", "********")


def test_it_shows_a_friendly_message_and_a_retry_when_upstream_fails(
    alice_client, servers, sandbox
):
    sandbox.set_faults({"error_rate": 1.0})
    _page, response = open_server_page(alice_client, servers[0])
    assert "Terrahost had a problem answering" in response.text
    assert "Try again" in response.text
    # A real htmx request (hx-get on a GET form that also works without JavaScript), so
    # hx-disabled-elt really disables its button while it runs.
    live = _live(servers[0])
    assert f'<form method="get" action="{live}" hx-get="{live}"' in response.text
    assert 'hx-disabled-elt="find button"' in response.text
    assert servers[0].primary_ip in response.text  # the last known data
    assert "HX-Refresh" not in response  # nothing known to reload for
    sandbox.set_faults({})
    retry = alice_client.get(live, headers=LIVE)
    assert retry.status_code == 200
    assert retry.text.lstrip().startswith('<div id="server-detail-body"')
    assert "CPU cores" in retry.text


def test_it_explains_a_server_the_api_hides_for_a_while(alice_client, servers, sandbox):
    sandbox.set_faults({"hide_server": [{"srv_id": servers[0].srv_id, "seconds": 60}]})
    _page, response = open_server_page(alice_client, servers[0])
    assert "not showing this server right now" in response.text


def test_customers_never_see_the_provider_name_in_errors(bob_client, servers, sandbox):
    sandbox.set_faults({"error_rate": 1.0})
    page, response = open_server_page(bob_client, servers[0])
    assert "could not be loaded just now" in response.text
    assert "Terrahost" not in response.text and "Terrahost" not in page.text


def test_a_change_drops_the_cached_detail_and_writes_known_fields(alice_client, servers, sandbox):
    from panel.connections.services import api

    row = servers[0]
    open_server_page(alice_client, row)  # cached now
    with api(row.connection) as client:
        client.servers.rename(row.srv_id, "renamed-by-test")
    row.changed(name="renamed-by-test", display_name="renamed-by-test")
    assert calls(sandbox, "GET /servers/{id}") == 1  # nothing read yet
    row.refresh_from_db()
    assert row.display_name == "renamed-by-test"
    assert "renamed-by-test" in alice_client.get(_url(row)).text  # at once, from the mirror
    assert "renamed-by-test" in open_server_page(alice_client, row)[1].text
    assert calls(sandbox, "GET /servers/{id}") == 2
