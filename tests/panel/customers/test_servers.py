"""Assigning servers to a customer: from its page (the grants picker), from the server
page, and Unassign."""

import pytest
from django.urls import reverse

from panel.audit.models import AuditEntry
from panel.customers.models import Customer


@pytest.fixture
def fjord(db):
    """A customer without servers yet (the package's fjord has two)."""
    return Customer.objects.create(name="Fjord Bakery", external_ref="C-100")


def test_the_assign_page_uses_the_searchable_picker(alice_client, fjord, servers):
    url = reverse("customers:assign", args=[fjord.pk])
    page = alice_client.get(url).content.decode()
    assert reverse("grants:server_picker") in page and str(servers[0]) in page
    found = alice_client.get(url, {"q": servers[1].name, "servers": [servers[0].pk]})
    page = found.content.decode()
    assert "Picked" in page and str(servers[1]) in page


def test_the_picker_tells_admins_whose_a_server_is(alice_client, fjord, servers):
    url = reverse("customers:assign", args=[fjord.pk])
    page = alice_client.get(url, {"q": servers[0].name}).content.decode()
    assert "belongs to Fjord Bakery" in page


def test_it_assigns_picked_servers_and_moves_them_from_another_customer(
    alice_client, fjord, servers
):
    other = Customer.objects.create(name="Nordlys Media")
    servers[1].customer = other
    servers[1].save()
    url = reverse("customers:assign", args=[fjord.pk])
    response = alice_client.post(url, {"servers": [servers[0].pk, servers[1].pk]}, follow=True)
    assert "2 servers were assigned to Fjord Bakery." in response.content.decode()
    assert set(fjord.servers.all()) == {servers[0], servers[1]}
    moves = AuditEntry.objects.filter(action="customer.server_assign").order_by("pk")
    assert [e.details for e in moves] == [
        {"from": "", "to": "Fjord Bakery"},
        {"from": "Nordlys Media", "to": "Fjord Bakery"},
    ]


def test_assigning_nothing_or_a_bad_id_is_a_plain_error(alice_client, fjord, servers):
    url = reverse("customers:assign", args=[fjord.pk])
    response = alice_client.post(url, {})
    assert response.status_code == 400
    assert "Pick at least one server." in response.content.decode()
    response = alice_client.post(url, {"servers": ["9" * 40]})
    assert response.status_code == 400
    assert not fjord.servers.exists()


def test_admins_see_and_change_the_customer_on_the_server_page(alice_client, fjord, servers):
    server = servers[0]
    page = alice_client.get(reverse("servers:detail", args=[server.pk])).content.decode()
    assert "This server is yours" in page and "Fjord Bakery" in page
    url = reverse("customers:server", args=[server.pk])
    response = alice_client.post(url, {"customer": fjord.pk}, follow=True)
    page = response.content.decode()
    assert f"{server} now belongs to Fjord Bakery." in page
    assert "This server belongs to" in page
    server.refresh_from_db()
    assert server.customer == fjord


def test_unassign_makes_the_server_the_resellers_own_and_goes_back(alice_client, fjord, servers):
    server = servers[0]
    server.customer = fjord
    server.save()
    back = reverse("customers:detail", args=[fjord.pk])
    url = reverse("customers:server", args=[server.pk])
    response = alice_client.post(url, {"customer": "", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    server.refresh_from_db()
    assert server.customer is None
    assert AuditEntry.objects.get(action="customer.server_assign").details["to"] == ""


def test_the_server_form_ignores_a_foreign_next_and_a_bad_customer(alice_client, fjord, servers):
    url = reverse("customers:server", args=[servers[0].pk])
    response = alice_client.post(url, {"customer": "x", "next": "https://evil.example/"})
    assert response["Location"] == reverse("servers:detail", args=[servers[0].pk])
    assert not AuditEntry.objects.filter(action="customer.server_assign").exists()


def test_non_admins_see_no_customer_on_the_server_page(bob_client, servers):
    page = bob_client.get(reverse("servers:detail", args=[servers[0].pk])).content.decode()
    assert "customer-title" not in page
