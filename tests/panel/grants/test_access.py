"""The single access path: visible_servers, get_server_for_user, grantable keys."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from panel.grants import services
from panel.grants.access import (
    get_server_for_user,
    grantable_keys,
    keys_for,
    visible_connections,
    visible_servers,
)
from panel.grants.models import Grant
from panel.grants.permissions import ALL_KEYS, KEYS, PRESETS


def test_the_keys_are_exactly_the_briefs():
    assert list(KEYS) == [
        "server.view", "server.rename", "power.control", "console.open", "graphs.view",
        "rdns.edit", "snapshot.view", "snapshot.manage", "reinstall", "password.reveal",
        "iso.manage", "upgrade.order", "ip.order", "billing.view",
    ]  # fmt: skip
    assert set(PRESETS["manager"]) == ALL_KEYS
    assert set(PRESETS["viewer"]) < set(PRESETS["operator"]) < ALL_KEYS


def test_admins_see_everything(alice, servers):
    assert visible_servers(alice).count() == 8
    assert keys_for(alice, servers[5]) == ALL_KEYS


def test_a_customer_sees_exactly_the_granted_servers(bob, servers):
    assert set(visible_servers(bob)) == set(servers[:2])


def test_a_connection_grant_covers_every_server_of_it(alice, charlie, servers, connection):
    services.grant(alice, charlie, PRESETS["viewer"], connection=connection)
    assert visible_servers(charlie).count() == 8
    assert keys_for(charlie, servers[3]) == frozenset(PRESETS["viewer"])


def test_get_server_for_user_404s_for_strangers(bob, charlie, servers):
    with pytest.raises(Http404):
        get_server_for_user(bob, servers[4].pk)
    with pytest.raises(Http404):
        get_server_for_user(charlie, servers[0].pk)
    with pytest.raises(Http404):
        get_server_for_user(bob, "not-a-number")


def test_get_server_for_user_403s_for_a_missing_key(bob, servers):
    assert get_server_for_user(bob, servers[0].pk, "power.control") == servers[0]
    with pytest.raises(PermissionDenied):
        get_server_for_user(bob, servers[0].pk, "reinstall")


def test_keys_from_several_grants_add_up(alice, bob, servers, connection):
    services.grant(alice, bob, ["billing.view"], connection=connection)
    keys = keys_for(bob, servers[0])
    assert "billing.view" in keys and "power.control" in keys


def test_every_grant_includes_server_view(alice, charlie, servers):
    grant = services.grant(alice, charlie, ["graphs.view"], server=servers[0])
    assert grant.keys == ["server.view", "graphs.view"]


def test_unknown_keys_are_refused(alice, charlie, servers):
    with pytest.raises(ValueError, match="Unknown permission keys"):
        services.grant(alice, charlie, ["server.destroy"], server=servers[0])


def test_nobody_grants_a_key_they_do_not_hold(alice, bob, charlie, servers):
    from panel.teams.services import add_member, create_team

    team = create_team(alice, "Ops")
    add_member(alice, team, bob, "manager")
    # bob holds Operator on servers[0]: he may pass on Viewer to his team, not Manager.
    services.grant(bob, team, PRESETS["viewer"], server=servers[0])
    with pytest.raises(PermissionDenied):
        services.grant(bob, team, PRESETS["manager"], server=servers[0])
    with pytest.raises(PermissionDenied):
        services.grant(bob, team, PRESETS["viewer"], server=servers[5])
    # Only admins give access to a user directly.
    with pytest.raises(PermissionDenied):
        services.grant(bob, charlie, PRESETS["viewer"], server=servers[0])


def test_granting_again_replaces_the_keys(alice, charlie, servers):
    services.grant(alice, charlie, PRESETS["manager"], server=servers[0])
    services.grant(alice, charlie, PRESETS["viewer"], server=servers[0])
    assert Grant.objects.filter(user=charlie).count() == 1
    assert keys_for(charlie, servers[0]) == frozenset(PRESETS["viewer"])


def test_revoking_takes_effect_on_the_next_lookup(alice, bob, servers):
    grant = Grant.objects.get(user=bob, server=servers[0])
    services.revoke(alice, grant)
    with pytest.raises(Http404):
        get_server_for_user(bob, servers[0].pk)


def test_inactive_users_see_nothing(bob, servers):
    bob.is_active = False
    bob.save()
    assert visible_servers(bob).count() == 0
    assert visible_connections(bob).count() == 0
    assert keys_for(bob, servers[0]) == frozenset()
    assert grantable_keys(bob, server=servers[0]) == frozenset()


def test_inactive_users_with_a_connection_grant_see_no_connection(alice, charlie, connection):
    services.grant(alice, charlie, PRESETS["viewer"], connection=connection)
    assert list(visible_connections(charlie)) == [connection]
    charlie.is_active = False
    charlie.save()
    assert visible_connections(charlie).count() == 0


# --- Teams and expiry -------------------------------------------------------------------


@pytest.fixture
def team(alice, charlie):
    from panel.teams.services import add_member, create_team

    team = create_team(alice, "Support")
    add_member(alice, team, charlie)
    return team


def test_a_member_holds_the_teams_grants(alice, charlie, team, servers):
    services.grant(alice, team, PRESETS["operator"], server=servers[3])
    assert set(visible_servers(charlie)) == {servers[3]}
    assert keys_for(charlie, servers[3]) == frozenset(PRESETS["operator"])
    get_server_for_user(charlie, servers[3].pk, "power.control")


def test_own_and_team_grants_add_up(alice, bob, team, servers, connection):
    from panel.teams.services import add_member

    add_member(alice, team, bob)
    services.grant(alice, team, ["reinstall"], server=servers[0])
    services.grant(alice, team, ["billing.view"], connection=connection)
    assert keys_for(bob, servers[0]) == frozenset(PRESETS["operator"]) | {
        "reinstall",
        "billing.view",
    }
    assert visible_servers(bob).count() == 8  # the team's grant covers the whole connection
    assert list(visible_connections(bob)) == [connection]


def test_a_list_is_still_one_query(alice, bob, team, servers, django_assert_num_queries):
    from panel.teams.services import add_member

    add_member(alice, team, bob)
    services.grant(alice, team, PRESETS["viewer"], server=servers[5])
    with django_assert_num_queries(1):
        rows = list(visible_servers(bob))
    assert set(rows) == {servers[0], servers[1], servers[5]}
    with django_assert_num_queries(1):
        keys_for(bob, servers[5])


def test_someone_outside_the_team_holds_nothing_of_it(alice, bob, team, servers):
    services.grant(alice, team, PRESETS["manager"], server=servers[0])
    assert keys_for(bob, servers[0]) == frozenset(PRESETS["operator"])  # his own only


def test_an_expired_grant_gives_nothing(alice, charlie, team, servers, connection):
    from django.utils import timezone

    past = timezone.now() - timezone.timedelta(seconds=1)
    future = timezone.now() + timezone.timedelta(days=1)
    services.grant(alice, charlie, PRESETS["viewer"], server=servers[0], expires_at=past)
    services.grant(alice, team, PRESETS["viewer"], connection=connection, expires_at=past)
    assert visible_servers(charlie).count() == 0
    assert visible_connections(charlie).count() == 0
    assert keys_for(charlie, servers[0]) == frozenset()
    services.grant(alice, charlie, PRESETS["viewer"], server=servers[0], expires_at=future)
    assert set(visible_servers(charlie)) == {servers[0]}


def test_expiry_needs_no_job_the_clock_is_enough(alice, charlie, servers, monkeypatch):
    from django.utils import timezone

    ends = timezone.now() + timezone.timedelta(hours=1)
    services.grant(alice, charlie, PRESETS["viewer"], server=servers[0], expires_at=ends)
    assert get_server_for_user(charlie, servers[0].pk)
    later = ends + timezone.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(Http404):
        get_server_for_user(charlie, servers[0].pk)


# --- No escalation through teams ---------------------------------------------------------


@pytest.fixture
def managed(alice, bob):
    """A team bob manages (bob holds Operator on servers 0 and 1, nothing else)."""
    from panel.teams.services import add_member, create_team

    team = create_team(alice, "Bob's team")
    add_member(alice, team, bob, "manager")
    return team


def test_a_manager_gives_his_team_only_keys_he_holds(alice, bob, managed, servers):
    services.grant(bob, managed, PRESETS["operator"], server=servers[0])
    for keys in (PRESETS["manager"], ["reinstall"]):
        with pytest.raises(PermissionDenied):
            services.grant(bob, managed, keys, server=servers[0])
    # The account's key never counts on one server: it is left out of such a grant.
    grant = services.grant(alice, managed, ["billing.view"], server=servers[1])
    assert "billing.view" not in grant.keys


def test_a_manager_gives_only_on_servers_he_holds_them_on(bob, managed, servers, connection):
    with pytest.raises(PermissionDenied):
        services.grant(bob, managed, PRESETS["viewer"], server=servers[4])
    with pytest.raises(PermissionDenied):  # two servers of a connection are not all of it
        services.grant(bob, managed, PRESETS["viewer"], connection=connection)


def test_a_team_grant_does_not_lift_itself(alice, bob, managed, servers):
    """What bob holds through his team is what he may pass on: granting the team more
    through the team does not work, and editing a team grant up is refused."""
    grant = services.grant(bob, managed, PRESETS["viewer"], server=servers[0])
    with pytest.raises(PermissionDenied):
        services.update(bob, grant, PRESETS["manager"])
    assert Grant.objects.get(pk=grant.pk).keys == list(PRESETS["viewer"])


def test_a_manager_cannot_give_another_team_or_a_user(alice, bob, managed, team, servers):
    with pytest.raises(PermissionDenied):
        services.grant(bob, team, PRESETS["viewer"], server=servers[0])
    with pytest.raises(PermissionDenied):
        services.grant(bob, bob, PRESETS["manager"], server=servers[0])
    foreign = services.grant(alice, team, PRESETS["viewer"], server=servers[0])
    with pytest.raises(PermissionDenied):
        services.revoke(bob, foreign)
    with pytest.raises(PermissionDenied):
        services.update(bob, foreign, PRESETS["viewer"])


def test_a_member_who_is_not_a_manager_gives_nothing(alice, bob, charlie, team, servers):
    services.grant(alice, charlie, PRESETS["manager"], server=servers[0])
    with pytest.raises(PermissionDenied):  # charlie is a plain member of `team`
        services.grant(charlie, team, PRESETS["viewer"], server=servers[0])


def test_access_given_never_outlasts_the_givers_own(alice, bob, managed, servers):
    from django.utils import timezone

    ends = timezone.now() + timezone.timedelta(days=3)
    Grant.objects.filter(user=bob, server=servers[0]).update(expires_at=ends)
    with pytest.raises(PermissionDenied, match="ends"):
        services.grant(bob, managed, PRESETS["viewer"], server=servers[0])
    with pytest.raises(PermissionDenied):
        services.grant(
            bob,
            managed,
            PRESETS["viewer"],
            server=servers[0],
            expires_at=ends + timezone.timedelta(1),
        )
    services.grant(bob, managed, PRESETS["viewer"], server=servers[0], expires_at=ends)
