import pytest
from django.urls import reverse

from panel.grants.models import Grant
from panel.grants.permissions import PRESETS


def test_it_lists_a_users_grants(alice_client, bob, servers):
    response = alice_client.get(reverse("grants:user", args=[bob.pk]))
    assert response.status_code == 200
    assert servers[0].display_name in response.text
    assert "power.control" in response.text


def test_it_grants_servers_with_a_preset(alice_client, charlie, servers):
    response = alice_client.post(
        reverse("grants:user", args=[charlie.pk]),
        {"preset": "operator", "servers": [servers[2].pk, servers[3].pk]},
    )
    assert response.status_code == 302
    grants = Grant.objects.filter(user=charlie)
    assert {g.server_id for g in grants} == {servers[2].pk, servers[3].pk}
    assert all(g.keys == list(PRESETS["operator"]) for g in grants)


def test_it_grants_a_whole_connection_with_custom_keys(alice_client, charlie, connection):
    response = alice_client.post(
        reverse("grants:user", args=[charlie.pk]),
        {"preset": "custom", "keys": ["graphs.view"], "connection": connection.pk},
    )
    assert response.status_code == 302
    grant = Grant.objects.get(user=charlie)
    assert grant.connection == connection
    assert grant.keys == ["server.view", "graphs.view"]


def test_it_re_renders_with_an_error_without_a_scope(alice_client, charlie, servers):
    response = alice_client.post(reverse("grants:user", args=[charlie.pk]), {"preset": "viewer"})
    assert response.status_code == 200
    assert "Pick some servers, or a whole connection." in response.text


def test_it_revokes(alice_client, bob, servers):
    grant = Grant.objects.filter(user=bob).first()
    response = alice_client.post(reverse("grants:revoke", args=[grant.pk]))
    assert response.status_code == 302
    assert not Grant.objects.filter(pk=grant.pk).exists()
    assert Grant.objects.filter(user=bob).count() == 1


@pytest.mark.parametrize(
    "value", ["99999999999999999999", "-99999999999999999999", "9223372036854775808", "x"]
)
@pytest.mark.parametrize("field", ["servers", "connection"])
def test_an_id_out_of_range_is_a_form_error(alice_client, charlie, servers, field, value):
    response = alice_client.post(
        reverse("grants:user", args=[charlie.pk]), {"preset": "viewer", field: value}
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.text
    assert not Grant.objects.filter(user=charlie).exists()
