"""On a server's page, admins see who has access to it (users and teams), with a link to
edit each; nobody else sees that section."""

from __future__ import annotations

from django.urls import reverse

from panel.grants import services
from panel.grants.models import Grant
from panel.grants.permissions import PRESETS
from panel.teams.services import add_member, create_team

from .helpers import visible_text


def test_admins_see_who_has_access(alice_client, alice, bob, servers, connection):
    team = create_team(alice, "Night shift")
    add_member(alice, team, bob)
    services.grant(alice, team, PRESETS["viewer"], connection=connection)
    response = alice_client.get(reverse("servers:detail", args=[servers[0].pk]))
    text = visible_text(response.text)
    assert "Who has access" in text
    assert "bob This server Operator" in text
    assert "Team Night shift (1 member) Every server of Sandbox Viewer" in text
    grant = Grant.objects.get(user=bob, server=servers[0])
    assert reverse("grants:edit", args=[grant.pk]) in response.text
    assert reverse("teams:detail", args=[team.pk]) in response.text


def test_a_server_nobody_else_has(alice_client, bob, servers):
    response = alice_client.get(reverse("servers:detail", args=[servers[5].pk]))
    assert "Nobody else has access to this server." in response.text


def test_customers_do_not_see_it(bob_client, servers):
    response = bob_client.get(reverse("servers:detail", args=[servers[0].pk]))
    assert response.status_code == 200
    assert "Who has access" not in response.text


def test_it_costs_one_query(alice, bob, servers, rf, django_assert_num_queries):
    team = create_team(alice, "Night shift")
    services.grant(alice, team, PRESETS["viewer"], server=servers[0])
    from django.template import Context, Template

    request = rf.get("/")
    request.user = alice
    template = Template("{% include 'grants/server_access_section.html' %}")
    with django_assert_num_queries(1):
        html = template.render(Context({"row": servers[0], "request": request}))
    assert "bob" in html and "Night shift" in html and "(0 members)" in html
