"""Nothing crosses between customers: a customer's people see, find and change only what
belongs to their own customer, within its ceiling."""

from __future__ import annotations

import re

from django.urls import reverse

from panel.audit.models import AuditEntry
from panel.commands.executor import execute
from panel.core.actors import Actor
from panel.grants import services as grant_services
from panel.grants.access import holds_anywhere, keys_for, visible_servers
from panel.grants.models import Grant
from panel.grants.permissions import PRESETS
from panel.servers.commands import Rename
from panel.teams import services as team_services

from ..conftest import calls, log_in


def test_it_lists_only_the_servers_of_the_persons_customer(alice, dag, nina, servers):
    # A grant from before the server moved to another customer gives nothing.
    Grant.objects.create(user=dag, server=servers[2], keys=["server.view"])
    assert set(visible_servers(dag)) == set(servers[:2])
    assert set(visible_servers(nina)) == set(servers[2:4])


def test_another_customers_server_is_a_404_like_one_that_does_not_exist(
    client, dag, alice, servers
):
    Grant.objects.create(user=dag, server=servers[2], keys=list(PRESETS["viewer"]))
    log_in(client, dag)
    assert client.get(reverse("servers:detail", args=[servers[2].pk])).status_code == 404
    assert client.get(reverse("servers:detail", args=[999999])).status_code == 404
    assert client.get(reverse("servers:detail", args=[servers[0].pk])).status_code == 200


def test_moving_a_server_ends_the_old_customers_access_at_once(client, dag, nordlys, servers):
    log_in(client, dag)
    url = reverse("servers:detail", args=[servers[0].pk])
    assert client.get(url).status_code == 200
    servers[0].customer = nordlys
    servers[0].save(update_fields=["customer"])
    assert client.get(url).status_code == 404


def test_the_ceiling_keeps_billable_keys_from_a_manager_preset(dag, servers):
    keys = keys_for(dag, servers[0])
    assert "reinstall" in keys and "power.control" in keys
    assert not keys & {"upgrade.order", "ip.order", "billing.view"}
    assert not holds_anywhere(dag, "billing.view")  # so the provider stays hidden


def test_an_order_outside_the_ceiling_is_403_and_calls_nothing(dag_client, servers, sandbox):
    response = dag_client.get(reverse("orders:upgrade", args=[servers[0].pk]))
    assert response.status_code == 403
    assert calls(sandbox, "GET /servers/{id}/upgrade") == 0


def test_a_ceiling_opened_by_the_reseller_counts_at_once(dag, fjord, servers):
    fjord.ceiling = [*fjord.ceiling, "upgrade.order"]
    fjord.save()
    dag.refresh_from_db()
    assert "upgrade.order" in keys_for(dag, servers[0])


def test_the_executor_refuses_a_command_on_another_customers_server(dag, servers, sandbox):
    command = Rename(actor=Actor.person(dag), server=servers[2], key="a" * 32, name="x")
    outcome = execute(command)
    assert not outcome.ok and outcome.data.get("not_allowed")
    assert calls(sandbox, "PUT /servers/{id}/name") == 0
    assert AuditEntry.objects.get(action="server.rename").result == "refused"


def test_a_team_adds_only_people_of_its_own_customer_and_says_nothing_of_others(
    client, alice, dag, ola, nina, fjord
):
    team = team_services.create_team(alice, "Bakers", customer=fjord)
    team_services.add_member(alice, team, dag, "manager")
    log_in(client, dag)
    url = reverse("teams:member_add", args=[team.pk])
    answers = {}
    for name in ("nina", "alice", "nobody-xyz", "ola"):
        response = client.post(url, {"username": name, "role": "member"})
        answers[name] = response
    assert answers["ola"].status_code in (200, 302)
    assert team.memberships.filter(user=ola).exists()
    unknown = _page(answers["nobody-xyz"], "nobody-xyz")
    assert "No user has this username." in unknown
    for name in ("nina", "alice"):
        assert answers[name].status_code == answers["nobody-xyz"].status_code
        # Word for word the page for a name nobody has (but the name typed).
        assert _page(answers[name], name) == unknown
    assert not team.memberships.filter(user__in=[nina, alice]).exists()


def _page(response, typed: str) -> str:
    """The answer without what differs on every render (CSRF tokens, form keys) and
    without the name that was typed."""
    text = response.content.decode().replace(typed, "NAME")
    text = re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken&quot;: &quot;)[^"&]+', r"\1", text)
    return re.sub(r"[0-9a-f]{32}", "KEY", text)


def test_access_to_another_customers_server_cannot_be_given(alice, dag, servers):
    import pytest
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied, match="give access only to that customer's servers"):
        grant_services.grant(alice, dag, ["server.view"], server=servers[2])
    with pytest.raises(PermissionDenied):
        grant_services.grant(alice, dag, ["server.view"], connection=servers[0].connection)
    assert not Grant.objects.filter(user=dag, server=servers[2]).exists()


def test_the_provider_accounts_data_is_never_a_customers_whatever_the_ceiling(
    alice, dag, fjord, servers
):
    fjord.ceiling = [*fjord.ceiling, "billing.view", "upgrade.order"]
    fjord.save()
    dag.refresh_from_db()
    keys = keys_for(dag, servers[0])
    assert "upgrade.order" in keys and "billing.view" not in keys
    assert not holds_anywhere(dag, "billing.view")
