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


def test_nobody_grants_a_key_they_do_not_hold(bob, charlie, servers):
    # bob holds Operator on servers[0]: he may pass on Viewer, not Manager.
    services.grant(bob, charlie, PRESETS["viewer"], server=servers[0])
    with pytest.raises(PermissionDenied):
        services.grant(bob, charlie, PRESETS["manager"], server=servers[0])
    with pytest.raises(PermissionDenied):
        services.grant(bob, charlie, PRESETS["viewer"], server=servers[5])


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
