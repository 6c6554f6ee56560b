"""The customers list, adding and editing a customer, and the customer page."""

import pytest
from django.urls import reverse

from panel.audit.log import record
from panel.audit.models import AuditEntry
from panel.customers.models import BILLABLE, Customer, default_ceiling
from panel.grants.permissions import ACCOUNT_KEYS, KEYS, description
from panel.teams.models import Team


def _form(**values):
    data = {
        "name": "Nordlys Media",
        "contacts": "",
        "notes": "",
        "external_ref": "",
        "max_users": "",
    }
    data["ceiling"] = default_ceiling()
    return {**data, **values}


def test_it_lists_customers_with_their_servers_people_and_last_activity(
    alice_client, fjord, servers, bob
):
    servers[0].customer = fjord
    servers[0].save()
    bob.customer = fjord
    bob.save()
    record("server.rename", actor=bob, server=servers[0])
    Customer.objects.create(name="Nordlys Media", status=Customer.Status.SUSPENDED)
    page = alice_client.get(reverse("customers:list")).content.decode()
    assert "Fjord Bakery" in page and "Nordlys Media" in page
    assert "Suspended" in page and "Active" in page
    assert "none yet" in page  # Nordlys has had no activity
    assert 'href="/customers/"' in alice_client.get(reverse("servers:list")).content.decode()


def test_it_shows_an_empty_list_plainly(alice_client):
    assert "No customers yet" in alice_client.get(reverse("customers:list")).content.decode()


def test_it_offers_the_ceiling_in_plain_words_with_billable_keys_off(alice_client):
    page = alice_client.get(reverse("customers:create")).content.decode()
    # The provider account's invoices and prices are never offered to a customer.
    assert description("billing.view") not in page
    for key in set(KEYS) - ACCOUNT_KEYS:
        assert description(key) in page
        box = page.split(f'value="{key}"', 1)[1].split(">", 1)[0]
        assert ("checked" in box) == (key not in BILLABLE), key
    assert "upgrade.order<" not in page and "Billing" in page


def test_it_adds_a_customer_and_audits_it(alice_client, alice):
    ceiling = ["server.view", "power.control"]
    response = alice_client.post(reverse("customers:create"), _form(ceiling=ceiling, max_users=5))
    customer = Customer.objects.get(name="Nordlys Media")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert customer.ceiling == ["server.view", "power.control"] and customer.max_users == 5
    entry = AuditEntry.objects.get(action="customer.create")
    assert entry.actor == alice and entry.details["customer"] == "Nordlys Media"


@pytest.mark.parametrize(
    "values, error",
    [
        ({"name": "fjord bakery"}, "There is a customer with this name already."),
        ({"external_ref": "C-100"}, "Another customer has this external reference already."),
    ],
)
def test_it_refuses_a_duplicate_name_or_reference_plainly(alice_client, fjord, values, error):
    response = alice_client.post(reverse("customers:create"), _form(**values))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert Customer.objects.count() == 1


def test_it_edits_a_customer_and_audits_what_changed(alice_client, fjord):
    url = reverse("customers:edit", args=[fjord.pk])
    assert "Fjord Bakery" in alice_client.get(url).content.decode()
    response = alice_client.post(url, _form(name="Fjord Bakery AS", external_ref="C-100"))
    assert response.status_code == 302
    fjord.refresh_from_db()
    assert fjord.name == "Fjord Bakery AS"
    entry = AuditEntry.objects.get(action="customer.update")
    assert entry.details["changed"] == "name"


def test_an_edit_that_changes_nothing_says_so(alice_client, fjord):
    url = reverse("customers:edit", args=[fjord.pk])
    response = alice_client.post(url, _form(name="Fjord Bakery", external_ref="C-100"), follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert not AuditEntry.objects.filter(action="customer.update").exists()


def test_the_customer_page_shows_servers_people_teams_and_ceiling(
    alice_client, fjord, servers, charlie
):
    servers[2].customer = fjord
    servers[2].save()
    charlie.customer, charlie.customer_role = fjord, "admin"
    charlie.save()
    Team.objects.create(name="Bakers", customer=fjord)
    page = alice_client.get(reverse("customers:detail", args=[fjord.pk])).content.decode()
    assert str(servers[2]) in page and "Unassign" in page
    assert "charlie" in page and "Customer admin" in page
    assert "Bakers" in page
    assert description("reinstall") in page and description("billing.view") not in page
    assert "Suspend customer" in page and "Also power off their servers" in page
    assert "Reactivate customer" not in page


def test_an_unknown_customer_is_404(alice_client):
    assert alice_client.get(reverse("customers:detail", args=[999])).status_code == 404


def test_changing_the_ceiling_asks_for_sudo_first(client, alice, fjord):
    client.force_login(alice)  # a session not in sudo mode
    url = reverse("customers:edit", args=[fjord.pk])
    ceiling = [*fjord.ceiling, "upgrade.order"]
    response = client.post(url, _form(external_ref="C-100", ceiling=ceiling))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sudo"))
    fjord.refresh_from_db()
    assert "upgrade.order" not in fjord.ceiling
    # Other changes do not ask.
    response = client.post(url, _form(name="Fjord Bakery AS", external_ref="C-100"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "customers:detail", args=[fjord.pk]
    )


def test_the_customer_page_lists_waiting_invitations_and_links_its_audit_log(
    alice_client, alice, fjord, nordlys
):
    from datetime import timedelta

    from django.utils import timezone

    from panel.teams.models import Invitation

    later = timezone.now() + timedelta(days=3)
    bakers = Team.objects.create(name="Bakers", customer=fjord)
    Invitation.objects.create(
        team=bakers, email="ingrid@example.org", token_hash="1" * 64, expires_at=later
    )
    theirs = Team.objects.create(name="Aurora", customer=nordlys)
    Invitation.objects.create(
        team=theirs, email="noor@example.org", token_hash="2" * 64, expires_at=later
    )
    page = alice_client.get(reverse("customers:detail", args=[fjord.pk])).content.decode()
    assert "ingrid@example.org, to Bakers" in page and "noor@example.org" not in page
    assert f"{reverse('audit:list')}?customer={fjord.pk}" in page


def test_the_audit_log_filters_by_customer(alice_client, alice, fjord, servers):
    from panel.audit.log import record
    from panel.core.actors import Actor

    servers[0].customer = fjord
    servers[0].save()
    record("power.reboot", actor=Actor.person(alice), server=servers[0])
    record("power.reboot", actor=Actor.person(alice), server=servers[3])
    page = alice_client.get(reverse("audit:list"), {"customer": fjord.pk})
    assert [entry.server for entry in page.context["page"].object_list] == [servers[0]]
