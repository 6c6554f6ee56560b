"""Team pages: admins create teams and manage everything; a team's managers add and remove
members and give the team only what they hold themselves; every change is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.audit.models import AuditEntry
from panel.grants import services as grants
from panel.grants.access import keys_for, visible_servers
from panel.grants.models import Grant
from panel.grants.permissions import PRESETS
from panel.teams import services
from panel.teams.models import Membership, Team

from ..grants.helpers import raw_keys_in, visible_text


@pytest.fixture
def team(alice):
    return services.create_team(alice, "Night shift")


@pytest.fixture
def managed(alice, bob, team):
    """bob manages the team (he holds Operator on servers 0 and 1)."""
    services.add_member(alice, team, bob, Membership.Role.MANAGER)
    return team


def detail(team):
    return reverse("teams:detail", args=[team.pk])


def actions():
    entries = AuditEntry.objects.filter(action__startswith="team.").order_by("pk")
    return list(entries.values_list("action", flat=True))


def test_an_admin_creates_a_team(alice_client):
    response = alice_client.post(
        reverse("teams:create"), {"name": "Support", "description": "First line"}
    )
    team = Team.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(team)
    assert AuditEntry.objects.get(action="team.create").details == {"team": "Support"}
    page = alice_client.get(reverse("teams:list"))
    assert "Support" in page.text and "First line" in page.text


def test_team_names_are_unique_regardless_of_case(alice_client, team):
    response = alice_client.post(reverse("teams:create"), {"name": "night SHIFT"})
    assert response.status_code == 200
    assert "There is already a team with this name." in response.text


def test_an_admin_adds_members_and_a_user_can_be_in_several_teams(alice_client, alice, charlie):
    first = services.create_team(alice, "A")
    second = services.create_team(alice, "B")
    for team in (first, second):
        url = reverse("teams:member_add", args=[team.pk])
        response = alice_client.post(url, {"username": "CHARLIE", "role": "member"})
        assert response.status_code == 302
    assert set(charlie.memberships.values_list("team__name", flat=True)) == {"A", "B"}
    entry = AuditEntry.objects.filter(action="team.member_add").order_by("pk").first()
    assert entry.details == {"team": "A", "user": "charlie", "role": "member"}


def test_adding_an_unknown_or_present_user_says_so(alice_client, alice, bob, team):
    url = reverse("teams:member_add", args=[team.pk])
    response = alice_client.post(url, {"username": "nobody", "role": "member"})
    assert "No user has this username." in response.text
    services.add_member(alice, team, bob)
    response = alice_client.post(url, {"username": "bob", "role": "member"})
    assert "bob is already in this team." in response.text


def test_roles_change_and_members_are_removed_after_a_question(alice_client, alice, bob, team):
    membership = services.add_member(alice, team, bob)
    url = reverse("teams:member_role", args=[team.pk, membership.pk])
    alice_client.post(url, {"role": "manager"})
    membership.refresh_from_db()
    assert membership.role == "manager"
    remove = reverse("teams:member_remove", args=[team.pk, membership.pk])
    page = alice_client.get(detail(team)).text
    assert f'data-dialog="confirm-remove-member-{membership.pk}"' in page
    assert "Remove bob from team Night shift?" in alice_client.get(remove).text
    alice_client.post(remove)
    assert not Membership.objects.exists()
    assert actions() == ["team.member_role", "team.member_remove"]


def test_an_admin_deletes_a_team(alice_client, team):
    url = reverse("teams:delete", args=[team.pk])
    assert "Delete team Night shift?" in alice_client.get(url).text
    assert alice_client.post(url).status_code == 302
    assert not Team.objects.exists()
    assert AuditEntry.objects.get(action="team.delete").details == {"team": "Night shift"}


def test_an_admin_gives_a_team_access_with_a_preset(alice_client, alice, charlie, team, servers):
    services.add_member(alice, team, charlie)
    response = alice_client.post(
        detail(team), {"preset": "operator", "servers": [servers[5].pk, servers[6].pk]}
    )
    assert response.status_code == 302
    assert set(visible_servers(charlie)) == {servers[5], servers[6]}
    entries = AuditEntry.objects.filter(action="grant.create")
    assert {e.server for e in entries} == {servers[5], servers[6]}
    assert all(e.details["team"] == "Night shift" for e in entries)
    text = visible_text(alice_client.get(detail(team)).text)
    assert "Operator" in text and servers[5].display_name in text
    assert raw_keys_in(alice_client.get(detail(team)).text) == set()


# --- A team's managers ----------------------------------------------------------------------


def test_a_manager_reaches_his_teams_pages_only(bob_client, alice, managed):
    other = services.create_team(alice, "Other")
    assert bob_client.get(reverse("teams:list")).status_code == 200
    assert "Night shift" in bob_client.get(reverse("teams:list")).text
    assert "Other" not in bob_client.get(reverse("teams:list")).text
    assert bob_client.get(detail(managed)).status_code == 200
    assert bob_client.get(detail(other)).status_code == 403
    assert bob_client.get(reverse("teams:create")).status_code == 403
    assert bob_client.post(reverse("teams:delete", args=[managed.pk])).status_code == 403
    assert Team.objects.count() == 2


def test_a_plain_member_manages_nothing(charlie_client, alice, charlie, team):
    membership = services.add_member(alice, team, charlie)
    assert charlie_client.get(detail(team)).status_code == 403
    url = reverse("teams:member_role", args=[team.pk, membership.pk])
    assert charlie_client.post(url, {"role": "manager"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == "member"
    add = reverse("teams:member_add", args=[team.pk])
    assert charlie_client.post(add, {"username": "charlie", "role": "manager"}).status_code == 403


def test_a_manager_adds_an_existing_user(bob_client, charlie, managed):
    url = reverse("teams:member_add", args=[managed.pk])
    assert bob_client.post(url, {"username": "charlie", "role": "member"}).status_code == 302
    assert managed.memberships.filter(user=charlie).exists()
    entry = AuditEntry.objects.get(action="team.member_add")
    assert entry.actor.username == "bob"


def test_a_manager_gives_his_team_what_he_holds(bob_client, charlie, alice, managed, servers):
    services.add_member(alice, managed, charlie)
    response = bob_client.post(detail(managed), {"preset": "viewer", "servers": [servers[0].pk]})
    assert response.status_code == 302
    assert keys_for(charlie, servers[0]) == frozenset(PRESETS["viewer"])


@pytest.mark.parametrize(
    ("data", "refusal"),
    [
        # a preset with keys he does not hold
        ({"preset": "manager", "servers": ["0"]}, "You cannot give permissions you do not hold"),
        # one key he does not hold, ticked by hand
        ({"preset": "custom", "keys": ["reinstall"], "servers": ["0"]}, "do not hold"),
        # a server he does not see
        ({"preset": "viewer", "servers": ["5"]}, "Select a valid choice"),
        # the whole connection (he holds two servers of it, not all of it)
        ({"preset": "viewer", "connection": "c"}, "Select a valid choice"),
    ],
)
def test_a_manager_cannot_escalate_through_his_team(
    bob_client, managed, servers, connection, data, refusal
):
    data = dict(data)
    if "servers" in data:
        data["servers"] = [servers[int(data["servers"][0])].pk]
    if "connection" in data:
        data["connection"] = connection.pk
    response = bob_client.post(detail(managed), data)
    assert response.status_code == 200
    assert refusal in response.text
    assert not Grant.objects.filter(team=managed).exists()


def test_a_manager_cannot_edit_his_teams_grant_upwards(bob_client, alice, managed, servers):
    grant = grants.grant(alice, managed, PRESETS["viewer"], server=servers[0])
    url = reverse("grants:edit", args=[grant.pk])
    assert bob_client.get(url).status_code == 200
    response = bob_client.post(url, {"preset": "manager"})
    assert "You cannot give permissions you do not hold" in response.text
    grant.refresh_from_db()
    assert grant.keys == list(PRESETS["viewer"])


def test_a_manager_cannot_touch_other_grants(bob_client, alice, bob, charlie, managed, servers):
    own = Grant.objects.filter(user=bob).first()
    other_team = services.create_team(alice, "Other")
    foreign = grants.grant(alice, other_team, PRESETS["viewer"], server=servers[0])
    user_grant = grants.grant(alice, charlie, PRESETS["viewer"], server=servers[0])
    for grant in (own, foreign, user_grant):
        for name in ("grants:edit", "grants:revoke"):
            url = reverse(name, args=[grant.pk])
            assert bob_client.post(url, {"preset": "manager"}).status_code == 403, (name, grant)
    assert Grant.objects.filter(pk__in=[own.pk, foreign.pk, user_grant.pk]).count() == 3
    assert bob_client.get(reverse("grants:user", args=[bob.pk])).status_code == 403


def test_a_managers_picker_offers_only_servers_he_sees(bob_client, managed, servers):
    response = bob_client.get(reverse("grants:server_picker"), {"for": f"team:{managed.pk}"})
    assert response.status_code == 200
    assert servers[0].display_name in response.text
    assert servers[5].display_name not in response.text
    other = reverse("grants:server_picker")
    assert bob_client.get(other, {"for": "user:1"}).status_code == 403


HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "members"}


def test_with_htmx_member_changes_swap_the_members_section(alice_client, alice, bob, team):
    add = reverse("teams:member_add", args=[team.pk])
    response = alice_client.post(add, {"username": "bob", "role": "member"}, **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card" id="members"')
    assert "bob is now in team Night shift." in response.text
    membership = team.memberships.get()
    role = reverse("teams:member_role", args=[team.pk, membership.pk])
    response = alice_client.post(role, {"role": "manager"}, **HTMX)
    assert "bob is now team manager." in response.text
    error = alice_client.post(add, {"username": "nobody", "role": "member"}, **HTMX)
    assert error.status_code == 422 and "No user has this username." in error.text
    remove = reverse("teams:member_remove", args=[team.pk, membership.pk])
    response = alice_client.post(remove, **HTMX)
    assert "bob was removed from Night shift." in response.text
    assert "No members yet." in response.text


def test_the_member_forms_post_through_htmx(alice_client, alice, bob, team):
    services.add_member(alice, team, bob)
    page = alice_client.get(detail(team)).text
    assert page.count('hx-target="#members"') == 3  # add, change role, remove (confirmed)


def test_access_to_several_servers_is_given_all_or_nothing(
    bob_client, alice, bob, managed, servers
):
    # bob may give reinstall on servers[0] (taken first), not on servers[1].
    grants.grant(alice, bob, [*PRESETS["operator"], "reinstall"], server=servers[0])
    response = bob_client.post(
        detail(managed),
        {"preset": "custom", "keys": ["reinstall"], "servers": [servers[0].pk, servers[1].pk]},
    )
    assert "You cannot give permissions you do not hold" in response.text
    assert not Grant.objects.filter(team=managed).exists()  # not even on servers[0]
