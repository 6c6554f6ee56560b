"""Reverse DNS: PTR per IPv4 address, NS delegation per IPv6 subnet; checked before
anything is sent."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from panel.audit.models import AuditEntry
from panel.servers.forms import dns_name_problem

from ..conftest import calls
from .conftest import open_server_page

HTMX = {"HTTP_HX_REQUEST": "true"}
ROUTE = "PUT /servers/{id}/reverse"


def first_ipv4(sandbox, row):
    return next(ip for ip in sandbox.state.servers[row.srv_id].ips if ip.version == 4)


def post(client, row, **data):
    data.setdefault("idempotency_key", uuid.uuid4().hex)
    return client.post(reverse("servers:reverse_dns", args=[row.pk]), data, **HTMX)


@pytest.mark.parametrize(
    "value", ["mail.example.com", "mail.example.com.", "a-b.c9.example", "x" * 63 + ".example"]
)
def test_good_names(value):
    assert dns_name_problem(value) == ""


@pytest.mark.parametrize(
    "value",
    ["", "bad_host!", "localhost", "-a.example.com", "a-.example.com", "a..example.com",
     "x" * 64 + ".example", ("a" * 60 + ".") * 5 + "com", "example.123", "mail.exämple.com"],
)  # fmt: skip
def test_bad_names(value):
    assert dns_name_problem(value.lower())


def test_each_ipv4_row_has_an_edit_button(bob_client, servers, sandbox):
    html = open_server_page(bob_client, servers[0])[1].text
    ip = first_ipv4(sandbox, servers[0])
    assert f'Edit reverse DNS<span class="visually-hidden"> for {ip.address}' in html


def test_setting_a_ptr_is_one_call_and_audited(bob_client, bob, servers, sandbox):
    row = servers[0]
    ip = first_ipv4(sandbox, row)
    response = post(bob_client, row, ip_id=ip.ip_id, hostname="Mail.Example.com.")
    assert response.status_code == 200
    assert "mail.example.com" in response.text
    assert calls(sandbox, ROUTE) == 1
    assert ip.reverse == "mail.example.com"
    entry = AuditEntry.objects.get(action="rdns.update")
    assert entry.details == {"address": ip.address, "hostname": "mail.example.com"}
    assert entry.actor == bob


def test_a_bad_value_gets_a_message_by_the_field_and_no_call(bob_client, servers, sandbox):
    row = servers[0]
    ip = first_ipv4(sandbox, row)
    response = post(bob_client, row, ip_id=ip.ip_id, hostname="bad_host!.example.com")
    assert response.status_code == 422
    assert "is not allowed in a host name" in response.text
    assert 'aria-invalid="true"' in response.text
    assert "bad_host!" in response.text  # what was typed stays
    assert calls(sandbox, ROUTE) == 0


def test_a_double_submit_is_one_call(bob_client, servers, sandbox):
    row = servers[0]
    ip = first_ipv4(sandbox, row)
    k = uuid.uuid4().hex
    post(bob_client, row, ip_id=ip.ip_id, hostname="a.example.com", idempotency_key=k)
    post(bob_client, row, ip_id=ip.ip_id, hostname="a.example.com", idempotency_key=k)
    assert calls(sandbox, ROUTE) == 1


def test_an_ipv6_subnet_is_delegated_to_name_servers(bob_client, servers, sandbox):
    row = servers[0]
    subnet = sandbox.state.servers[row.srv_id].subnets[0]
    response = post(
        bob_client, row, sub_id=subnet.sub_id, nameservers="ns1.example.com ns2.example.com"
    )
    assert response.status_code == 200
    assert calls(sandbox, ROUTE) == 1
    assert subnet.nameservers == ["ns1.example.com", "ns2.example.com"]
    too_many = " ".join(f"ns{i}.example.com" for i in range(6))
    assert post(bob_client, row, sub_id=subnet.sub_id, nameservers=too_many).status_code == 422
    assert calls(sandbox, ROUTE) == 1


def test_an_address_of_another_server_is_404(bob_client, servers, sandbox):
    other = first_ipv4(sandbox, servers[1])
    response = post(bob_client, servers[0], ip_id=other.ip_id, hostname="a.example.com")
    assert response.status_code == 404
    assert calls(sandbox, ROUTE) == 0


def test_without_javascript_a_page_lists_every_address(bob_client, servers, sandbox):
    response = bob_client.get(reverse("servers:reverse_dns", args=[servers[0].pk]))
    assert response.status_code == 200
    assert "Reverse DNS" in response.text and "<html" in response.text


def test_upstream_failure_is_a_message_in_the_row(bob_client, servers, sandbox):
    row = servers[0]
    ip = first_ipv4(sandbox, row)
    sandbox.set_faults({"error_rate": 1.0, "routes": [ROUTE]})
    response = post(bob_client, row, ip_id=ip.ip_id, hostname="a.example.com")
    assert response.status_code == 200
    assert "had a problem answering" in response.text
    assert "Save reverse DNS" in response.text  # the form stays open with the value
