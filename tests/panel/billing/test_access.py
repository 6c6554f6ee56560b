"""Who may see a connection's account and invoices (and a link to them)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from panel.grants import services as grant_services
from panel.grants.access import get_connection_for_user


def may_view(user, connection) -> bool:
    """What the pages ask before linking to the account: the one access path's answer."""
    try:
        get_connection_for_user(user, connection.pk, "billing.view")
    except (Http404, PermissionDenied):
        return False
    return True


def test_admins_may(alice, connection):
    assert get_connection_for_user(alice, connection.pk, "billing.view") == connection
    assert may_view(alice, connection)


def test_a_key_on_one_server_is_not_enough_the_whole_connection_is(
    alice, charlie, erin, connection, servers
):
    grant_services.grant(alice, charlie, ["server.view", "billing.view"], server=servers[3])
    with pytest.raises(PermissionDenied):
        get_connection_for_user(charlie, connection.pk, "billing.view")
    assert get_connection_for_user(erin, connection.pk, "billing.view") == connection
    assert may_view(erin, connection)


def test_a_key_on_the_whole_connection_is_enough(alice, charlie, connection):
    grant_services.grant(alice, charlie, ["billing.view"], connection=connection)
    assert may_view(charlie, connection)


def test_seeing_servers_without_the_key_is_403(bob, connection):
    with pytest.raises(PermissionDenied):
        get_connection_for_user(bob, connection.pk, "billing.view")
    assert not may_view(bob, connection)


def test_the_key_on_another_connection_does_not_count(alice, bob, erin, connection):
    from panel.connections.models import Connection

    other = Connection.objects.create(name="Other", username="x", base_url=connection.base_url)
    with pytest.raises(Http404):
        get_connection_for_user(erin, other.pk, "billing.view")
    assert not may_view(erin, other)


def test_strangers_and_inactive_users_get_404(charlie, erin, connection):
    with pytest.raises(Http404):
        get_connection_for_user(charlie, connection.pk, "billing.view")
    erin.is_active = False
    erin.save()
    assert not may_view(erin, connection)


def test_an_unknown_key_is_a_programming_error(alice, connection):
    with pytest.raises(ValueError):
        get_connection_for_user(alice, connection.pk, "billing.edit")


def test_links_to_the_account_only_for_holders_of_billing_view(alice_client, client, bob, servers):
    from django.urls import reverse

    url = reverse("billing:account", args=[servers[0].connection_id])
    assert url in alice_client.get(reverse("servers:detail", args=[servers[0].pk])).text
    assert (
        url in alice_client.get(reverse("connections:detail", args=[servers[0].connection_id])).text
    )
    client.force_login(bob)  # Operator: no billing.view
    assert url not in client.get(reverse("servers:detail", args=[servers[0].pk])).text
