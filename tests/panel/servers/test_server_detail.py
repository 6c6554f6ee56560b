from __future__ import annotations

from django.core.cache import cache
from django.urls import reverse

from panel.grants import services as grants
from panel.grants.permissions import PRESETS
from panel.servers.services import detail_cache_key
from tests.panel.conftest import calls


def _url(server) -> str:
    return reverse("servers:detail", args=[server.pk])


def test_it_shows_what_get_servers_id_says(alice_client, servers):
    server = servers[0]
    response = alice_client.get(_url(server))
    assert response.status_code == 200
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


def test_it_shows_billing_to_holders_of_billing_view_only(bob_client, alice, bob, servers):
    server = servers[0]
    response = bob_client.get(_url(server))  # Operator: no billing.view
    assert response.status_code == 200
    assert "Billing" not in response.text
    grants.grant(alice, bob, PRESETS["manager"], server=server)
    response = bob_client.get(_url(server))
    assert "Billing" in response.text
    assert "Order number" in response.text


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


def test_it_caches_the_detail_briefly(alice_client, servers, sandbox):
    alice_client.get(_url(servers[0]))
    alice_client.get(_url(servers[0]))
    assert calls(sandbox, "GET /servers/{id}") == 1


def test_it_caches_the_record_redacted(alice_client, servers):
    alice_client.get(_url(servers[0]))
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
    response = alice_client.get(_url(servers[0]))
    assert response.status_code == 200
    assert "Terrahost had a problem answering" in response.text
    assert "Try again" in response.text
    # A real htmx request (hx-get on a GET form that also works without JavaScript), so
    # hx-disabled-elt really disables its button while it runs.
    assert (
        f'<form method="get" action="{_url(servers[0])}" hx-get="{_url(servers[0])}"'
        in response.text
    )
    assert 'hx-disabled-elt="find button"' in response.text
    assert servers[0].primary_ip in response.text  # the last known data
    sandbox.set_faults({})
    retry = alice_client.get(
        _url(servers[0]), headers={"HX-Request": "true", "HX-Target": "server-detail-body"}
    )
    assert retry.status_code == 200
    assert retry.text.lstrip().startswith('<div id="server-detail-body"')
    assert "CPU cores" in retry.text


def test_it_explains_a_server_the_api_hides_for_a_while(alice_client, servers, sandbox):
    sandbox.set_faults({"hide_server": [{"srv_id": servers[0].srv_id, "seconds": 60}]})
    response = alice_client.get(_url(servers[0]))
    assert response.status_code == 200
    assert "not showing this server right now" in response.text


def test_customers_never_see_the_provider_name_in_errors(bob_client, servers, sandbox):
    sandbox.set_faults({"error_rate": 1.0})
    response = bob_client.get(_url(servers[0]))
    assert response.status_code == 200
    assert "could not be loaded just now" in response.text
    assert "Terrahost" not in response.text


def test_a_change_drops_the_cached_detail_and_writes_known_fields(alice_client, servers, sandbox):
    from panel.connections.services import api
    from panel.servers.services import server_changed

    row = servers[0]
    alice_client.get(_url(row))  # cached now
    with api(row.connection) as client:
        client.servers.rename(row.srv_id, "renamed-by-test")
    server_changed(row, name="renamed-by-test", display_name="renamed-by-test")
    assert calls(sandbox, "GET /servers/{id}") == 1  # nothing read yet
    row.refresh_from_db()
    assert row.display_name == "renamed-by-test"
    assert "renamed-by-test" in alice_client.get(_url(row)).text
    assert calls(sandbox, "GET /servers/{id}") == 2
