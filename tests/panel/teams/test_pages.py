"""The people pages in their other states: no inline code (strict CSP), labels, links."""

from __future__ import annotations

from django.urls import reverse

from panel.grants import services as grants
from panel.grants.models import Grant
from panel.grants.permissions import PRESETS
from panel.teams import services
from panel.teams.models import Membership

from ..core.test_layout import assert_no_inline_code


def test_pages_with_errors_and_as_a_manager_have_no_inline_code(
    alice_client, client, alice, bob, charlie, servers
):
    team = services.create_team(alice, "Night shift")
    services.add_member(alice, team, bob, Membership.Role.MANAGER)
    grant = grants.grant(alice, team, PRESETS["viewer"], server=servers[0])
    detail = reverse("teams:detail", args=[team.pk])
    pages = {
        "team with a grant error": alice_client.post(detail, {"preset": "custom"}),
        "member error": alice_client.post(
            reverse("teams:member_add", args=[team.pk]), {"username": "x", "role": "member"}
        ),
        "edit with an error": alice_client.post(
            reverse("grants:edit", args=[grant.pk]), {"preset": "custom"}
        ),
        "create with an error": alice_client.post(reverse("teams:create"), {"name": ""}),
        "picker partial": alice_client.get(
            reverse("grants:server_picker"),
            {"q": "web"},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="server-results",
        ),
        "user page of a user in a team": alice_client.get(reverse("grants:user", args=[bob.pk])),
    }
    client.force_login(bob)
    pages["team page as its manager"] = client.get(detail)
    pages["team list as a manager"] = client.get(reverse("teams:list"))
    pages["edit as a manager"] = client.get(reverse("grants:edit", args=[grant.pk]))
    for where, response in pages.items():
        assert response.status_code == 200, where
        assert_no_inline_code(response.text, where)


def test_admins_find_teams_from_the_menu_and_the_users_page(alice_client):
    teams = reverse("teams:list")
    assert f'href="{teams}"' in alice_client.get(reverse("servers:list")).text
    assert f'href="{teams}"' in alice_client.get(reverse("users:user_list")).text


def test_the_end_sessions_button_asks_first(alice_client, bob):
    page = alice_client.get(reverse("grants:user", args=[bob.pk])).text
    assert 'data-dialog="confirm-end-sessions"' in page
    assert '<dialog id="confirm-end-sessions"' in page


def test_a_manager_who_leaves_his_team_goes_to_his_servers(bob_client, alice, bob):
    team = services.create_team(alice, "Night shift")
    membership = services.add_member(alice, team, bob, Membership.Role.MANAGER)
    url = reverse("teams:member_remove", args=[team.pk, membership.pk])
    response = bob_client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("servers:list")
    assert bob_client.get(reverse("teams:detail", args=[team.pk])).status_code == 403


def test_a_manager_removes_his_teams_grant(bob_client, alice, bob, servers):
    team = services.create_team(alice, "Night shift")
    services.add_member(alice, team, bob, Membership.Role.MANAGER)
    grant = grants.grant(alice, team, PRESETS["viewer"], server=servers[0])
    assert bob_client.get(reverse("grants:revoke", args=[grant.pk])).status_code == 200
    assert bob_client.post(reverse("grants:revoke", args=[grant.pk])).status_code == 302
    assert not Grant.objects.filter(pk=grant.pk).exists()


def test_a_team_manager_finds_the_teams_page_in_the_menu(client, alice, bob, charlie):
    from django.urls import reverse

    from panel.teams.models import Membership, Team

    team = Team.objects.create(name="Night shift")
    Membership.objects.create(team=team, user=bob, role=Membership.Role.MANAGER)
    Membership.objects.create(team=team, user=charlie, role=Membership.Role.MEMBER)
    link = f'href="{reverse("teams:list")}"'
    client.force_login(bob)
    assert link in client.get(reverse("servers:list")).text
    client.force_login(charlie)
    assert link not in client.get(reverse("servers:list")).text
