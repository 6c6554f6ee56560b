"""The users list and adding a user (panel admins only)."""

from __future__ import annotations

import re

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from panel.accounts.models import User
from panel.teams import services as teams

LIST = reverse("users:user_list")


def rows(html: str) -> list[str]:
    """The usernames of the list, in order."""
    return re.findall(r'<td><a href="/users/\d+/">([^<]+)</a></td>', html)


def row(html: str, user) -> str:
    """The list's row of `user`."""
    start = html.index(f'<td><a href="/users/{user.pk}/">')
    return html[start : html.index("</tr>", start)]


def test_admins_list_users_by_username_regardless_of_case(alice_client, db):
    for name in ("carl", "Bert", "anna", "Dora"):
        User.objects.create_user(name)
    assert rows(alice_client.get(LIST).text) == ["alice", "anna", "Bert", "carl", "Dora"]


def test_the_list_shows_what_an_admin_needs_to_know(alice_client, alice, bob, charlie):
    team = teams.create_team(alice, "Night shift")
    teams.add_member(alice, team, bob)
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    TOTPDevice.objects.create(user=charlie, name="not finished", confirmed=False)
    User.objects.filter(pk=bob.pk).update(last_login=timezone.now(), first_name="Bob")
    User.objects.filter(pk=charlie.pk).update(is_active=False)
    html = alice_client.get(LIST).text
    bob_row = row(html, bob)
    assert "Bob" in bob_row and "bob@example.org" in bob_row and "Night shift" in bob_row
    assert ">On<" in bob_row and "just now" in bob_row and "Active" in bob_row
    charlie_row = row(html, charlie)
    assert ">Off<" in charlie_row  # an unconfirmed device is no second factor
    assert "never" in charlie_row and "Disabled" in charlie_row
    assert "Admin" in row(html, alice) and "Admin" not in bob_row


def test_search_finds_users_by_username_name_or_e_mail(alice_client, bob, charlie):
    User.objects.filter(pk=charlie.pk).update(last_name="Brown")
    assert rows(alice_client.get(LIST, {"q": "BOB"}).text) == ["bob"]
    assert rows(alice_client.get(LIST, {"q": "brown"}).text) == ["charlie"]
    assert rows(alice_client.get(LIST, {"q": "example.org"}).text) == ["alice", "bob", "charlie"]
    assert "No user matches “zed”" in alice_client.get(LIST, {"q": "zed"}).text


def test_a_search_as_you_type_gets_only_the_table(alice_client, bob):
    response = alice_client.get(
        LIST, {"q": "bob"}, headers={"HX-Request": "true", "HX-Target": "user-table"}
    )
    assert response.text.lstrip().startswith('<div id="user-table"')
    assert rows(response.text) == ["bob"]


def test_the_list_is_paged(alice_client, db):
    User.objects.bulk_create(User(username=f"user{n:02}") for n in range(60))
    first = alice_client.get(LIST).text
    assert len(rows(first)) == 50 and "1\u201350 of 61" in first and 'rel="next"' in first
    second = alice_client.get(LIST, {"page": 2}).text
    assert rows(second) == [f"user{n:02}" for n in range(49, 60)]


def _users(count: int, alice) -> None:
    team = teams.create_team(alice, f"Team {count}")
    for n in range(count):
        user = User.objects.create_user(f"u{count}-{n}", last_login=timezone.now())
        teams.add_member(alice, team, user)
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        StaticDevice.objects.create(user=user, name="codes", confirmed=True)


def test_the_list_costs_the_same_queries_for_any_number_of_users(alice_client, alice):
    _users(2, alice)
    alice_client.get(LIST)  # the first request of a session reads a few things once
    with CaptureQueriesContext(db) as few:
        alice_client.get(LIST)
    _users(30, alice)
    with CaptureQueriesContext(db) as many:
        assert len(rows(alice_client.get(LIST).text)) == 33
    assert len(many) == len(few), [q["sql"] for q in many]


@pytest.mark.parametrize("name", ["users:user_list", "users:user_create"])
def test_others_get_403(bob_client, name):
    assert bob_client.get(reverse(name)).status_code == 403
    assert bob_client.post(reverse(name)).status_code == 403


def test_admins_create_a_user(alice_client):
    response = alice_client.post(
        reverse("users:user_create"),
        {"username": "erin", "password": "a-long-enough-secret-7", "is_panel_admin": ""},
    )
    erin = User.objects.get(username="erin")
    assert response.status_code == 302
    assert response["Location"] == reverse("grants:user", args=[erin.pk])
    assert erin.check_password("a-long-enough-secret-7")
    assert not erin.is_panel_admin


def test_it_refuses_a_weak_password(alice_client):
    response = alice_client.post(
        reverse("users:user_create"), {"username": "erin", "password": "123"}
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="erin").exists()


def test_a_username_taken_in_another_case_is_refused_and_nothing_typed_is_lost(alice_client, bob):
    data = {"username": "BOB", "first_name": "Robert", "email": "robert@example.org"}
    response = alice_client.post(reverse("users:user_create"), {**data, "password": "x" * 20})
    assert response.status_code == 200
    assert "A user with that username already exists." in response.text
    assert 'value="Robert"' in response.text and 'value="robert@example.org"' in response.text
    assert User.objects.filter(username__iexact="bob").count() == 1


def test_superusers_are_panel_admins(db):
    root = User.objects.create_superuser("root", "root@example.org", "x")
    assert root.is_panel_admin
