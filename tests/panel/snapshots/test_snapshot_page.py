"""The Snapshots page: the list from the provider (state and time), who may see what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.grants import services as grant_services

from ..conftest import calls
from .conftest import take_outside


def url(server):
    return reverse("snapshots:list", args=[server.pk])


def test_it_lists_snapshots_with_state_and_time(bob_client, servers, sandbox):
    response = bob_client.get(url(servers[0]))
    assert response.status_code == 200
    html = response.text
    assert html.count("<td>before-upgrade-") == 2  # web-01's two seeded snapshots
    assert html.count(">Completed</span>") == 2
    assert "<time datetime=" in html
    assert "Take snapshot" in html
    assert html.count('data-dialog="delete-snapshot-') == 2
    assert calls(sandbox, "GET /servers/{id}/snapshots") == 1


def test_the_list_is_cached_briefly(bob_client, servers, sandbox):
    bob_client.get(url(servers[0]))
    bob_client.get(url(servers[0]))
    assert calls(sandbox, "GET /servers/{id}/snapshots") == 1


def test_snapshots_taken_outside_the_panel_are_listed(bob_client, servers, sandbox):
    take_outside(servers[1], "made-at-the-provider")
    html = bob_client.get(url(servers[1])).text
    assert "made-at-the-provider" in html
    assert ">Pending</span>" in html
    # Something is being taken: the list polls itself until it is done.
    assert 'hx-trigger="every 2s"' in html


def test_the_tab_shows_for_holders_of_snapshot_view(bob_client, alice, bob, servers):
    detail = bob_client.get(reverse("servers:detail", args=[servers[0].pk])).text
    assert f'href="{url(servers[0])}"' in detail
    grant_services.grant(alice, bob, ["server.view"], server=servers[2])
    detail = bob_client.get(reverse("servers:detail", args=[servers[2].pk])).text
    assert "Snapshots</a>" not in detail


def test_a_viewer_sees_the_list_without_take_or_delete(client, alice, servers, sandbox):
    viewer = alice.__class__.objects.create_user("viewer", password="x")
    grant_services.grant(alice, viewer, ["server.view", "snapshot.view"], server=servers[0])
    client.force_login(viewer)
    html = client.get(url(servers[0])).text
    assert "before-upgrade-" in html
    assert "Take snapshot</button>" not in html and "data-dialog" not in html
    assert "Save schedule" not in html


def test_without_snapshot_view_it_is_403_and_no_call(client, alice, servers, sandbox):
    user = alice.__class__.objects.create_user("nosnap", password="x")
    grant_services.grant(alice, user, ["server.view"], server=servers[0])
    client.force_login(user)
    assert client.get(url(servers[0])).status_code == 403
    assert calls(sandbox, "GET /servers/{id}/snapshots") == 0


@pytest.mark.parametrize("who", ["charlie", "bob"])
def test_a_stranger_gets_404_and_no_call(client, request, servers, sandbox, who):
    client.force_login(request.getfixturevalue(who))
    server = servers[5]  # bob's grants are on the first two servers only
    assert client.get(url(server)).status_code == 404
    take = reverse("snapshots:take", args=[server.pk])
    assert client.post(take, {"name": "x", "idempotency_key": "a" * 32}).status_code == 404
    assert calls(sandbox, "GET /servers/{id}/snapshots") == 0
    assert calls(sandbox, "POST /servers/{id}/snapshot") == 0


def test_a_server_without_snapshots_says_so_in_the_providers_words(alice_client, servers):
    server = servers[3]  # a dedicated server: the provider answers 405
    html = alice_client.get(url(server)).text
    assert "Snapshots are not available for this server." in html
    assert "This operation is not supported for this server." in html
    assert "Take snapshot</button>" not in html


def test_the_page_polls_nothing_when_nothing_is_under_way(bob_client, servers):
    html = bob_client.get(url(servers[0])).text
    assert 'id="snapshot-list">' in html  # no hx-get on it
    response = bob_client.get(
        url(servers[0]), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="snapshot-list"
    )
    assert response.status_code == 286  # htmx: stop polling
    assert "<html" not in response.text
