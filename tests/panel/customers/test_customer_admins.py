"""A customer's admin runs their own company's teams: creates them (in their customer),
adds their colleagues, gives them access to their customer's servers within what they hold,
and never reaches another customer's teams."""

from __future__ import annotations

from django.urls import reverse

from panel.grants.models import Grant
from panel.teams import services as team_services
from panel.teams.models import Team

from ..conftest import log_in


def test_a_customer_admin_creates_a_team_of_their_customer(dag_client, fjord):
    response = dag_client.post(reverse("teams:create"), {"name": "Bakers", "description": ""})
    assert response.status_code == 302
    assert Team.objects.get(name="Bakers").customer == fjord
    assert "Bakers" in dag_client.get(reverse("teams:list")).text


def test_they_give_a_colleague_access_through_a_team(dag_client, ola, fjord, servers):
    dag_client.post(reverse("teams:create"), {"name": "Bakers", "description": ""})
    team = Team.objects.get(name="Bakers")
    url = reverse("teams:member_add", args=[team.pk])
    assert dag_client.post(url, {"username": "ola", "role": "member"}).status_code in (200, 302)
    data = {"servers": [servers[0].pk], "preset": "viewer", "ends_on": ""}
    dag_client.post(reverse("teams:detail", args=[team.pk]), data)
    assert Grant.objects.filter(team=team, server=servers[0]).exists()
    # A server of another customer cannot be picked.
    data["servers"] = [servers[2].pk]
    response = dag_client.post(reverse("teams:detail", args=[team.pk]), data)
    assert not Grant.objects.filter(team=team, server=servers[2]).exists()
    assert response.status_code in (200, 400, 422)


def test_another_customers_teams_are_out_of_reach(client, alice, dag, nina, nordlys):
    theirs = team_services.create_team(alice, "Aurora", customer=nordlys)
    log_in(client, dag)
    assert client.get(reverse("teams:detail", args=[theirs.pk])).status_code == 403
    assert client.post(reverse("teams:delete", args=[theirs.pk])).status_code == 403
    assert "Aurora" not in client.get(reverse("teams:list")).text
    assert Team.objects.filter(pk=theirs.pk).exists()


def test_members_do_not_create_teams(client, ola):
    log_in(client, ola)
    assert client.get(reverse("teams:create")).status_code == 403
    assert client.post(reverse("teams:create"), {"name": "Mine"}).status_code == 403
    assert not Team.objects.exists()


def test_their_audit_log_holds_their_customer_only_without_staff_addresses(
    client, alice, dag, ola, nina, servers
):
    from panel.audit.log import record
    from panel.core.actors import Actor

    record("power.reboot", actor=Actor.person(ola, address="198.51.100.7"), server=servers[0])
    record("power.reboot", actor=Actor.person(alice, address="203.0.113.9"), server=servers[1])
    record("power.reboot", actor=Actor.person(nina, address="192.0.2.77"), server=servers[2])
    log_in(client, dag)
    page = client.get(reverse("audit:list"))
    assert page.status_code == 200
    assert "198.51.100.7" in page.text  # their own person's address
    assert "alice" in page.text and "203.0.113.9" not in page.text  # staff: no address
    assert "nina" not in page.text and servers[2].display_name not in page.text
    assert "Download CSV" not in page.text
    log_in(client, ola)  # a member, not an admin of the customer
    assert client.get(reverse("audit:list")).status_code == 403


def test_a_customer_admin_holds_the_ceiling_on_every_server_of_their_customer(
    fjord, nordlys, servers
):
    from panel.accounts.models import User
    from panel.grants.access import keys_for, visible_servers

    boss = User.objects.create_user("boss", customer=fjord, customer_role="admin")
    assert set(visible_servers(boss)) == set(servers[:2])  # without a single grant
    assert keys_for(boss, servers[0]) == frozenset(fjord.ceiling)
    assert keys_for(boss, servers[2]) == frozenset()


def test_their_grant_form_offers_only_what_their_customer_may_have(dag_client, fjord, servers):
    dag_client.post(reverse("teams:create"), {"name": "Bakers", "description": ""})
    team = Team.objects.get(name="Bakers")
    page = dag_client.get(reverse("teams:detail", args=[team.pk])).text
    assert 'value="billing.view"' not in page and 'value="upgrade.order"' not in page
    assert "Or every server of a connection" not in page
    # "Manager" is then everything the customer may have, and goes through.
    data = {"servers": [servers[0].pk], "preset": "manager", "ends_on": ""}
    dag_client.post(reverse("teams:detail", args=[team.pk]), data)
    grant = Grant.objects.get(team=team, server=servers[0])
    assert set(grant.keys) == set(fjord.ceiling)


def test_an_invitation_can_make_the_invitee_a_customer_admin(client, dag_client, ola, fjord):
    from django.core import mail

    from panel.accounts.models import User

    dag_client.post(reverse("teams:create"), {"name": "Bakers", "description": ""})
    team = Team.objects.get(name="Bakers")
    page = dag_client.get(reverse("teams:detail", args=[team.pk])).text
    assert "Also an admin of Fjord Bakery" in page
    data = {"email": "ingrid@example.org", "role": "member", "customer_admin": "on"}
    dag_client.post(reverse("teams:invite", args=[team.pk]), data)
    link = next(line for line in mail.outbox[-1].body.split() if "/teams/join/" in line)
    dag_client.logout()
    client.get(link.split("127.0.0.1:8000", 1)[1])
    join = {
        "username": "ingrid",
        "password1": "a-long-passphrase-9",
        "password2": "a-long-passphrase-9",
    }
    client.post(reverse("teams:join"), join)
    ingrid = User.objects.get(username="ingrid")
    assert ingrid.customer == fjord and ingrid.customer_role == "admin"
    # A plain member of the customer, managing a team, is not offered the box.
    team.memberships.create(user=ola, role="manager")
    log_in(client, ola)
    assert "Also an admin of" not in client.get(reverse("teams:detail", args=[team.pk])).text
