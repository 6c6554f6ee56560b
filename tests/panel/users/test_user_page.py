"""A user's page: editing, disabling and enabling, turning off two-factor login and
deleting; an admin never disables, deletes or demotes themselves."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from panel.accounts.models import User
from panel.audit.log import record
from panel.audit.models import AuditEntry
from panel.grants.models import Grant
from panel.teams import services as teams

from ..conftest import PASSWORD


def url(name, user):
    return reverse(f"users:{name}", args=[user.pk])


def last_entry(action):
    return AuditEntry.objects.filter(action=action).first()


@pytest.fixture
def admin(alice):
    """alice, in a browser of her own (bob keeps the `client`)."""
    browser = Client()
    browser.force_login(alice)
    return browser


@pytest.mark.parametrize("name", ["detail", "disable", "enable", "two_factor_off", "delete"])
def test_others_get_403(bob_client, charlie, name):
    assert bob_client.get(url(name, charlie)).status_code in (403, 405)
    assert bob_client.post(url(name, charlie)).status_code == 403


def test_the_page_shows_the_user_their_teams_and_a_way_to_their_access(alice_client, alice, bob):
    teams.add_member(alice, teams.create_team(alice, "Night shift"), bob)
    html = alice_client.get(url("detail", bob)).text
    assert 'value="bob@example.org"' in html and "Night shift" in html
    assert reverse("grants:user", args=[bob.pk]) in html
    assert "Send password reset link" in html and url("disable", bob) in html


def test_admins_edit_a_user(alice_client, bob):
    data = {"username": "Robert", "first_name": "Bob", "last_name": "B", "email": "r@example.org"}
    response = alice_client.post(url("detail", bob), {**data, "is_panel_admin": "on"})
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.username, bob.email, bob.is_panel_admin) == ("Robert", "r@example.org", True)
    entry = last_entry("user.update")
    assert entry.actor_name == "alice"
    assert entry.details["user"] == "Robert" and entry.details["was"] == "bob"
    assert entry.details["panel admin"] is True


def test_saving_nothing_new_changes_nothing(alice_client, bob):
    data = {"username": "bob", "email": "bob@example.org"}
    response = alice_client.post(url("detail", bob), data, follow=True)
    assert "Nothing was changed." in response.text
    assert last_entry("user.update") is None


def test_a_username_taken_in_another_case_is_refused_and_nothing_typed_is_lost(
    alice_client, bob, charlie
):
    data = {"username": "BOB", "first_name": "Charles", "email": "charles@example.org"}
    response = alice_client.post(url("detail", charlie), data)
    assert response.status_code == 200
    assert "A user with that username already exists." in response.text
    assert 'value="BOB"' in response.text and 'value="Charles"' in response.text
    assert "<h1>charlie</h1>" in response.text  # the heading names the user as saved
    charlie.refresh_from_db()
    assert (charlie.username, charlie.first_name) == ("charlie", "")


def test_a_user_keeps_their_own_name_in_another_case(alice_client, bob):
    alice_client.post(url("detail", bob), {"username": "Bob", "email": "bob@example.org"})
    bob.refresh_from_db()
    assert bob.username == "Bob"


def test_an_admin_cannot_take_away_their_own_admin_rights(alice_client, alice):
    page = alice_client.get(url("detail", alice)).text
    assert "You cannot remove your own admin rights; another admin can." in page
    alice_client.post(url("detail", alice), {"username": "alice", "first_name": "Alice"})
    alice.refresh_from_db()
    assert alice.is_panel_admin and alice.first_name == "Alice"


def test_another_admin_can(alice_client, db):
    other = User.objects.create_user("olga", is_panel_admin=True)
    alice_client.post(url("detail", other), {"username": "olga"})
    other.refresh_from_db()
    assert not other.is_panel_admin


@pytest.mark.parametrize(
    "name, message",
    [
        ("disable", "You cannot disable yourself; another admin can."),
        ("delete", "You cannot delete yourself; another admin can."),
    ],
)
def test_an_admin_cannot_disable_or_delete_themselves(alice_client, alice, name, message):
    page = alice_client.get(url("detail", alice)).text
    assert "This is you. You cannot disable or delete yourself" in page
    assert url(name, alice) not in page
    for method in (alice_client.get, alice_client.post):
        response = method(url(name, alice), {"confirm_name": "alice"}, follow=True)
        assert message in response.text
    alice.refresh_from_db()
    assert alice.is_active


def test_disabling_ends_an_open_session_on_its_next_request(client, bob, admin, servers):
    bob_client = client
    bob_client.force_login(bob)
    server = reverse("servers:detail", args=[servers[0].pk])
    assert bob_client.get(server).status_code == 200
    assert admin.get(url("disable", bob)).status_code == 200  # the page without JavaScript
    assert admin.post(url("disable", bob)).status_code == 302
    response = bob_client.get(server)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Client().login(username="bob", password=PASSWORD)
    assert last_entry("user.disable").details == {"user": "bob"}
    assert "Disabled" in admin.get(reverse("users:user_list")).text


def test_enabling_lets_them_log_in_again(admin, bob):
    User.objects.filter(pk=bob.pk).update(is_active=False)
    assert admin.get(url("enable", bob)).status_code == 405
    assert admin.post(url("enable", bob)).status_code == 302
    assert Client().login(username="bob", password=PASSWORD)
    assert last_entry("user.enable").details == {"user": "bob"}


def test_admins_turn_off_a_user_s_two_factor_login(alice_client, bob):
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    codes = StaticDevice.objects.create(user=bob, name="recovery codes", confirmed=True)
    codes.token_set.create(token="abcd1234")
    page = alice_client.get(url("detail", bob)).text
    assert "Turn off two-factor login" in page
    assert alice_client.get(url("two_factor_off", bob)).status_code == 200
    response = alice_client.post(url("two_factor_off", bob), follow=True)
    assert "Two-factor login is off for bob, and they were logged out everywhere." in (
        response.text
    )
    assert not user_has_device(bob, confirmed=None)
    details = {"user": "bob", "devices": 2, "sessions ended": 0}
    assert last_entry("user.2fa_reset").details == details
    assert "Turn off two-factor login" not in alice_client.get(url("detail", bob)).text


def test_turning_off_a_user_s_two_factor_login_ends_their_sessions(alice_client, alice, bob):
    """Whoever got into one of bob's sessions (e.g. with the lost phone) is out too."""
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    browser = Client()
    browser.force_login(bob)
    alice_elsewhere = Client()
    alice_elsewhere.force_login(alice)
    alice_client.post(url("two_factor_off", bob))
    assert last_entry("user.2fa_reset").details["sessions ended"] == 1
    assert browser.get(reverse("servers:list"))["Location"].startswith(reverse("accounts:login"))
    assert alice_client.get(reverse("servers:list")).status_code == 200
    assert alice_elsewhere.get(reverse("servers:list")).status_code == 200  # not hers


def test_an_admin_turning_off_their_own_keeps_the_session_they_click_from(alice_client, alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    elsewhere = Client()
    elsewhere.force_login(alice)
    alice_client.post(url("two_factor_off", alice))
    assert elsewhere.get(reverse("servers:list")).status_code == 302
    assert alice_client.get(reverse("servers:list")).status_code == 200


def test_deleting_asks_for_the_username(alice_client, bob):
    response = alice_client.post(url("delete", bob), {"confirm_name": "bobby"})
    assert response.status_code == 200
    assert "Type “bob” exactly, to show you mean this user." in response.text
    assert User.objects.filter(pk=bob.pk).exists()


def test_deleting_removes_the_user_and_their_access_and_keeps_the_audit(alice_client, bob):
    record("auth.login", actor=bob)
    bob_pk = bob.pk
    response = alice_client.post(url("delete", bob), {"confirm_name": " bob "})
    assert response.status_code == 302 and response["Location"] == reverse("users:user_list")
    assert not User.objects.filter(pk=bob_pk).exists()
    assert not Grant.objects.filter(user_id=bob_pk).exists()
    login = last_entry("auth.login")
    assert login.actor is None and login.actor_name == "bob"  # what they did keeps their name
    deleted = last_entry("user.delete")
    assert deleted.actor_name == "alice" and deleted.details == {"user": "bob"}
