import pytest
from django.urls import reverse
from django.utils import timezone

from panel.audit.models import AuditEntry
from panel.grants.models import Grant
from panel.grants.permissions import KEYS, PRESETS

from .helpers import raw_keys_in, visible_text


def test_it_lists_a_users_grants_in_plain_words(alice_client, bob, servers):
    response = alice_client.get(reverse("grants:user", args=[bob.pk]))
    assert response.status_code == 200
    text = visible_text(response.text)
    assert servers[0].display_name in text
    assert "Operator" in text and "Reboot, power on and power off" in text
    for group in ("See", "Operate", "Change", "Billing"):
        assert group in text
    assert raw_keys_in(response.text) == set()


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
    entry = AuditEntry.objects.get(action="grant.revoke")
    assert entry.server == grant.server and entry.details["user"] == "bob"


def test_removing_asks_first(alice_client, bob, servers):
    """A dialog with JavaScript; a confirmation page without (the button's GET)."""
    grant = Grant.objects.filter(user=bob).first()
    url = reverse("grants:revoke", args=[grant.pk])
    page = alice_client.get(reverse("grants:user", args=[bob.pk])).text
    assert f'data-dialog="confirm-revoke-{grant.pk}"' in page
    assert f'<dialog id="confirm-revoke-{grant.pk}"' in page
    question = alice_client.get(url)
    assert question.status_code == 200 and "Remove this access?" in question.text
    assert Grant.objects.filter(pk=grant.pk).exists()


def test_custom_with_nothing_ticked_is_refused(alice_client, charlie, servers):
    response = alice_client.post(
        reverse("grants:user", args=[charlie.pk]), {"preset": "custom", "servers": [servers[0].pk]}
    )
    assert response.status_code == 200
    assert "Tick at least one permission for Custom, or choose a preset." in response.text
    assert not Grant.objects.filter(user=charlie).exists()


def test_each_preset_says_what_it_includes(alice_client, charlie, servers):
    text = visible_text(alice_client.get(reverse("grants:user", args=[charlie.pk])).text)
    assert "What Viewer includes" in text and "What Manager includes" in text
    assert text.count(KEYS["reinstall"]) >= 2  # under Manager, and as a Custom checkbox


def test_a_grant_can_be_edited(alice_client, bob, servers):
    grant = Grant.objects.get(user=bob, server=servers[0])
    url = reverse("grants:edit", args=[grant.pk])
    page = alice_client.get(url)
    assert page.status_code == 200
    assert 'value="operator" id="preset-operator" checked' in page.text
    response = alice_client.post(
        url, {"preset": "custom", "keys": ["graphs.view", "reinstall"], "ends_on": "2999-12-31"}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.keys == ["server.view", "graphs.view", "reinstall"]
    assert timezone.localtime(grant.expires_at).date().isoformat() == "3000-01-01"
    entry = AuditEntry.objects.get(action="grant.update")
    assert entry.server == servers[0] and "reinstall" in entry.details["keys"]
    page = alice_client.get(url)
    assert 'value="2999-12-31"' in page.text  # the last day shown back as chosen


def test_an_expiry_date_is_the_last_day_of_access(alice_client, charlie, servers):
    alice_client.post(
        reverse("grants:user", args=[charlie.pk]),
        {"preset": "viewer", "servers": [servers[0].pk], "ends_on": "2999-06-30"},
    )
    grant = Grant.objects.get(user=charlie)
    assert timezone.localtime(grant.expires_at).isoformat().startswith("2999-07-01T00:00:00")
    text = visible_text(alice_client.get(reverse("grants:user", args=[charlie.pk])).text)
    assert "Last day: 30 Jun 2999" in text


def test_a_day_in_the_past_is_refused(alice_client, charlie, servers):
    response = alice_client.post(
        reverse("grants:user", args=[charlie.pk]),
        {"preset": "viewer", "servers": [servers[0].pk], "ends_on": "2001-01-01"},
    )
    assert "That day has passed." in response.text
    assert not Grant.objects.filter(user=charlie).exists()


def test_an_admins_page_says_admins_see_everything_without_a_form(alice_client, alice):
    response = alice_client.get(reverse("grants:user", args=[alice.pk]))
    assert "Admins see every server and may do everything on it" in response.text
    assert "Give alice access" not in response.text and 'name="preset"' not in response.text
    response = alice_client.post(reverse("grants:user", args=[alice.pk]), {"preset": "viewer"})
    assert response.status_code == 302 and not Grant.objects.exists()


def test_the_page_shows_access_through_teams(alice_client, alice, charlie, servers):
    from panel.grants import services
    from panel.teams.services import add_member, create_team

    team = create_team(alice, "Support")
    add_member(alice, team, charlie, "manager")
    services.grant(alice, team, PRESETS["viewer"], server=servers[4])
    text = visible_text(alice_client.get(reverse("grants:user", args=[charlie.pk])).text)
    assert "Support (team manager)" in text
    assert servers[4].display_name in text and "Viewer" in text


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
