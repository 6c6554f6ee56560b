"""Reseller staff limited to chosen customers (account managers): sven runs Fjord Bakery.

He sees and acts on Fjord's servers (every key but the provider account's), opens Fjord's
page and audit, runs its teams and may view the panel as its people; Nordlys does not exist
for him, as for Fjord's own people. Only a panel admin limits someone, and is asked to
confirm it is them first."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from panel.accounts.models import User
from panel.audit.log import record
from panel.audit.models import AuditEntry
from panel.grants import access
from panel.grants.permissions import ACCOUNT_KEYS, ALL_KEYS
from panel.teams import services as team_services
from panel.teams.models import Team
from panel.users.viewing import SESSION_KEY

from ..conftest import PASSWORD, log_in


@pytest.fixture
def sven(db, fjord):
    user = User.objects.create_user("sven", "sven@example.org", PASSWORD)
    user.managed_customers.add(fjord)
    return user


@pytest.fixture
def sven_client(client, sven):
    return log_in(client, sven)


def test_he_holds_every_server_key_but_the_accounts_on_his_customers_servers(
    sven, fjord, nordlys, servers
):
    seen = set(access.visible_servers(sven))
    assert seen == set(servers[:2])  # Fjord's; not Nordlys's, not the unassigned ones
    assert access.keys_for(sven, servers[0]) == ALL_KEYS - ACCOUNT_KEYS
    assert access.keys_for(sven, servers[2]) == frozenset()
    assert access.is_account_manager(sven) and not access.is_customer_admin(sven)


def test_his_access_ends_when_he_is_no_longer_limited_to_the_customer(sven, fjord, servers):
    sven.managed_customers.remove(fjord)
    assert not access.visible_servers(sven).exists()
    assert access.keys_for(sven, servers[0]) == frozenset()


def test_a_server_moved_to_another_customer_leaves_him_at_once(sven, nordlys, servers):
    servers[0].customer = nordlys
    servers[0].save(update_fields=["customer"])
    assert servers[0] not in set(access.visible_servers(sven))


def test_he_sees_his_customers_only_and_cannot_change_them(sven_client, fjord, nordlys, nina):
    listing = sven_client.get(reverse("customers:list"))
    assert listing.status_code == 200
    assert "Fjord Bakery" in listing.text and "Nordlys" not in listing.text
    page = sven_client.get(reverse("customers:detail", args=[fjord.pk]))
    assert page.status_code == 200
    assert "C-100" in page.text  # reseller staff read the billing system's reference
    for name in ("Edit", "Suspend customer", "Assign servers", "Unassign"):
        assert f">{name}<" not in page.text, name
    assert sven_client.get(reverse("customers:detail", args=[nordlys.pk])).status_code == 404
    for name in ("customers:edit", "customers:suspend", "customers:assign"):
        assert sven_client.get(reverse(name, args=[fjord.pk])).status_code == 403, name
    assert sven_client.post(reverse("customers:reactivate", args=[fjord.pk])).status_code == 403


def test_the_navigation_leads_him_to_his_customers_teams_and_audit(sven_client):
    page = sven_client.get(reverse("servers:list"))
    nav = page.text.split('<nav class="mainnav"')[1].split("</nav>")[0]
    for name in ("Customers", "Teams", "Audit log"):
        assert f">{name}</a>" in nav, name
    assert ">Users</a>" not in page.text and ">Connections</a>" not in page.text


def test_he_runs_his_customers_teams_only(sven, sven_client, fjord, nordlys, alice):
    nordlys_team = team_services.create_team(alice, "Aurora", customer=nordlys)
    form = sven_client.get(reverse("teams:create"))
    choices = {str(choice[1]) for choice in form.context["form"].fields["customer"].choices}
    assert choices == {"Fjord Bakery"}  # no staff team, no other customer
    sven_client.post(reverse("teams:create"), {"name": "Bakers", "customer": nordlys.pk})
    assert not Team.objects.filter(name="Bakers").exists()
    response = sven_client.post(reverse("teams:create"), {"name": "Bakers", "customer": fjord.pk})
    assert response.status_code == 302
    assert Team.objects.get(name="Bakers").customer == fjord
    listing = sven_client.get(reverse("teams:list"))
    assert "Bakers" in listing.text and "Aurora" not in listing.text
    assert sven_client.get(reverse("teams:detail", args=[nordlys_team.pk])).status_code == 403


def test_a_team_name_of_another_customer_does_not_show_through(dag, dag_client, nordlys, alice):
    team_services.create_team(alice, "Ops", customer=nordlys)
    response = dag_client.post(reverse("teams:create"), {"name": "Ops"})
    assert response.status_code == 302  # their own "Ops": nothing said of Nordlys's
    assert Team.objects.filter(name="Ops").count() == 2
    again = dag_client.post(reverse("teams:create"), {"name": "ops"})
    assert "There is already a team with this name." in again.text


def test_he_reads_his_customers_audit_only(sven_client, fjord, dag, nina, servers):
    record("power.reboot", actor=dag, server=servers[0])
    record("power.reboot", actor=nina, server=servers[2])
    page = sven_client.get(reverse("audit:list"))
    names = {entry.actor_name for entry in page.context["page"]}
    assert names == {"dag"}
    choices = {str(c[1]) for c in page.context["form"].fields["customer"].choices}
    assert choices == {"Any customer", "Fjord Bakery"}


def test_he_views_the_panel_as_his_customers_people_only(sven_client, ola, nina, alice, fjord):
    assert sven_client.post(reverse("users:view_as", args=[nina.pk])).status_code == 404
    assert sven_client.post(reverse("users:view_as", args=[alice.pk])).status_code == 404
    assert SESSION_KEY not in sven_client.session
    assert sven_client.post(reverse("users:view_as", args=[ola.pk])).status_code == 302
    assert sven_client.get(reverse("servers:list")).context["user"] == ola
    stop = sven_client.post(reverse("users:view_as_stop"))
    assert stop["Location"] == reverse("customers:detail", args=[fjord.pk])
    assert AuditEntry.objects.filter(action="user.view_as_start", actor_name="sven").exists()


def test_the_view_ends_when_he_no_longer_runs_the_customer(sven, sven_client, ola, fjord):
    sven_client.post(reverse("users:view_as", args=[ola.pk]))
    sven.managed_customers.remove(fjord)
    page = sven_client.get(reverse("servers:list"))
    assert page.context["user"] == sven
    assert SESSION_KEY not in sven_client.session


# --- made by a panel admin ----------------------------------------------------------------


@pytest.fixture
def admin(alice):
    browser = Client()
    browser.force_login(alice)  # not in sudo mode
    return browser


def _fields(user, **changes) -> dict:
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "customer": "",
        "customer_role": "member",
    }
    return data | changes


def test_limiting_staff_to_customers_asks_for_sudo_and_is_audited(admin, charlie, fjord):
    url = reverse("users:detail", args=[charlie.pk])
    asked = admin.post(url, _fields(charlie, managed_customers=[fjord.pk]))
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("accounts:sudo"))
    assert not charlie.managed_customers.exists()
    admin.post(reverse("accounts:sudo"), {"code": PASSWORD})
    admin.post(url, _fields(charlie, managed_customers=[fjord.pk]))
    assert list(charlie.managed_customers.all()) == [fjord]
    entry = AuditEntry.objects.filter(action="user.update").latest("at")
    assert entry.details["limited to"] == "Fjord Bakery"


def test_only_staff_who_are_not_admins_are_limited(alice_client, charlie, ola, fjord):
    for user, changes in (
        (ola, {"customer": fjord.pk}),
        (charlie, {"is_panel_admin": "on"}),
    ):
        url = reverse("users:detail", args=[user.pk])
        page = alice_client.post(url, _fields(user, managed_customers=[fjord.pk], **changes))
        assert page.status_code == 200, user
        assert page.context["form"].errors["managed_customers"], user
        assert not user.managed_customers.exists()


def test_an_admin_creates_an_account_manager(alice_client, fjord):
    alice_client.post(
        reverse("users:user_create"),
        {**_fields(User(username="ingrid", email="i@example.org")), "password": "Lang-og-sikker-9"}
        | {"managed_customers": [fjord.pk]},
    )
    assert list(User.objects.get(username="ingrid").managed_customers.all()) == [fjord]


# --- a customer's own admin ---------------------------------------------------------------


def test_a_customer_admin_has_their_customers_page_without_the_resellers_notes(
    dag_client, dag, fjord, ola
):
    fjord.notes = "Pays late; call Kari first."
    fjord.save()
    page = dag_client.get(reverse("servers:list"))
    people = reverse("customers:detail", args=[fjord.pk])
    assert f'href="{people}"' in page.text and ">People</a>" in page.text
    own = dag_client.get(people)
    assert own.status_code == 200
    assert "Pays late" not in own.text and "C-100" not in own.text
    assert "View as this user" in own.text and "ola" in own.text
    listing = dag_client.get(reverse("customers:list"))
    assert listing.status_code == 200 and "Fjord Bakery" in listing.text


def test_a_customer_admin_views_as_their_people(dag_client, ola, fjord):
    assert dag_client.post(reverse("users:view_as", args=[ola.pk])).status_code == 302
    assert dag_client.get(reverse("servers:list")).context["user"] == ola
    # An htmx click meanwhile is refused with the reason in words for its notice.
    refused = dag_client.post(reverse("servers:refresh"), HTTP_HX_REQUEST="true")
    assert refused.status_code == 403
    assert "nothing%20can%20be%20changed" in refused["X-Problem"]
    stop = dag_client.post(reverse("users:view_as_stop"))
    assert stop["Location"] == reverse("customers:detail", args=[fjord.pk])


def test_a_plain_member_may_not_view_as_anyone(client, ola, dag):
    log_in(client, ola)
    assert client.post(reverse("users:view_as", args=[dag.pk])).status_code == 403
