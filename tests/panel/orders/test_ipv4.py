"""Ordering an extra IPv4 address: L2 and L3 explained, L2 only for dedicated servers,
a confirmation, one operation and one order per press, and the new address shown once
the server has it (a real worker following it)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.operations import tasks
from panel.operations.models import Operation
from terrahost_client.errors import NotSupported
from terrahost_client.resources import IPsClient

from ..conftest import calls, wait_for

ORDER = "POST /servers/{id}/ipv4"
KEY = "b" * 32
L3_WORDS = "Routed to your server's main address: works at once"
L2_WORDS = "On the same network segment as the server: needs configuring on the server"


def url(server, query=""):
    return reverse("orders:ipv4", args=[server.pk]) + query


def order(client, server, ip_type="l3", key=KEY):
    return client.post(url(server), {"ip_type": ip_type, "idempotency_key": key})


def test_it_needs_ip_order_and_calls_nothing(bob_client, servers, sandbox):
    assert bob_client.get(url(servers[0])).status_code == 403
    assert order(bob_client, servers[0]).status_code == 403
    assert calls(sandbox, ORDER) == 0 and calls(sandbox, "GET /servers/{id}") == 0


def test_it_is_404_for_a_stranger(charlie_client, servers, sandbox):
    assert charlie_client.get(url(servers[0])).status_code == 404
    assert order(charlie_client, servers[0]).status_code == 404
    assert calls(sandbox, ORDER) == 0


def test_a_dedicated_server_is_offered_l2_and_l3_in_plain_words(client, person, servers):
    dedicated = servers[3]
    client.force_login(person("ip.order", server=dedicated))
    text = client.get(url(dedicated)).text.replace("&#x27;", "'")
    assert L3_WORDS in text and L2_WORDS in text
    assert 'value="l2"' in text and 'value="l3"' in text


def test_a_virtual_server_is_offered_l3_only(alice_client, servers, sandbox, queued):
    text = alice_client.get(url(servers[0])).text
    assert 'value="l3"' in text and 'value="l2"' not in text
    assert "virtual servers take routed (L3) addresses" in text
    response = order(alice_client, servers[0], "l2")  # a form made up by hand
    assert response.status_code == 400
    assert calls(sandbox, ORDER) == 0 and not Operation.objects.exists() and not queued


def test_the_confirmation_says_the_address_comes_later(alice_client, servers):
    text = alice_client.get(url(servers[0], "?ip_type=l3")).text
    assert "Order now" in text and "paid order" in text and "after a while" in text


def test_a_double_submit_makes_one_operation_and_one_order(alice_client, servers, sandbox, queued):
    assert order(alice_client, servers[0]).status_code == 302
    assert order(alice_client, servers[0]).status_code == 302
    op = Operation.objects.get()
    assert op.kind == "ipv4_order" and op.input == {"ip_type": "l3"}
    assert queued == [op.pk]
    tasks.run_operation(op.pk)
    tasks.run_operation(op.pk)
    assert calls(sandbox, ORDER) == 1


def _operation(alice, server, ip_type):
    """An order the form would not make (L2 on a VPS), as if the mirror had said
    "dedicated": Terrahost is the one to refuse it."""
    return Operation.objects.create(
        kind="ipv4_order",
        server=server,
        srv_id=server.srv_id,
        server_name=server.display_name,
        connection=server.connection,
        initiator=alice,
        initiator_name=alice.username,
        idempotency_key="c" * 32,
        input={"ip_type": ip_type},
    )


def test_a_refusal_is_shown_in_terrahosts_words(alice_client, alice, servers, sandbox, queued):
    op = _operation(alice, servers[0], "l2")
    tasks.run_operation(op.pk)
    op.refresh_from_db()
    assert op.status == Operation.Status.FAILED
    words = "Only routed (L3) IPs can be ordered for virtual servers."
    assert words in op.error
    assert words in alice_client.get(url(servers[0])).text
    assert calls(sandbox, ORDER) == 1


def test_a_405_is_shown_in_terrahosts_words(alice, servers, queued, monkeypatch):
    def refuse(self, srv_id, ip_type="l3"):
        raise NotSupported(405, "IP orders are not available for this server.")

    monkeypatch.setattr(IPsClient, "order_ipv4", refuse)
    op = _operation(alice, servers[0], "l3")
    tasks.run_operation(op.pk)
    op.refresh_from_db()
    assert "IP orders are not available for this server." in op.error


def test_the_server_page_offers_the_button_to_holders_only(client, person, servers, bob):
    detail = reverse("servers:detail", args=[servers[0].pk])
    client.force_login(person("ip.order"))
    assert "Order IPv4 address" in client.get(detail).text
    client.force_login(bob)
    assert "Order IPv4 address" not in client.get(detail).text


@pytest.mark.django_db(transaction=True)
def test_the_new_address_shows_once_the_server_has_it(worker, alice_client, servers, sandbox):
    server = servers[0]
    before = {ip.address for ip in sandbox.state.servers[server.srv_id].ips}
    assert order(alice_client, server).status_code == 302
    op = Operation.objects.get()
    wait_for(lambda: calls(sandbox, ORDER) == 1)
    page = alice_client.get(url(server)).text
    assert 'hx-trigger="every 3s"' in page  # the state part follows the order
    sandbox.advance(31)
    wait_for(lambda: Operation.objects.get(pk=op.pk).status == Operation.Status.SUCCEEDED)
    address = Operation.objects.get(pk=op.pk).result["address"]
    assert address not in before
    assert address in {ip.address for ip in sandbox.state.servers[server.srv_id].ips}
    poll = alice_client.get(url(server), headers={"HX-Request": "true", "HX-Target": "ipv4-state"})
    assert poll.status_code == 286
    assert f"<code>{address}</code> is now yours" in poll.text
    assert 'id="order-wait" hx-swap-oob="true"' in poll.text  # the choice comes back
    assert calls(sandbox, ORDER) == 1
