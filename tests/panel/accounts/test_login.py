from __future__ import annotations

from django.urls import reverse

from tests.panel.conftest import PASSWORD

URL = reverse("accounts:login")


def test_it_shows_the_login_form(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="username"' in response.text


def test_it_logs_in_and_goes_to_the_servers(client, alice):
    response = client.post(URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("servers:list")


def test_it_follows_next(client, alice):
    target = reverse("connections:list")
    response = client.post(
        f"{URL}?next={target}", {"username": "alice", "password": PASSWORD, "next": target}
    )
    assert response["Location"] == target


def test_it_says_plainly_when_the_password_is_wrong(client, alice):
    response = client.post(URL, {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "That username and password do not match" in response.text


def test_it_throttles_after_five_failures_per_username_and_address(client, alice):
    for _ in range(5):
        client.post(URL, {"username": "alice", "password": "nope"})
    response = client.post(URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_the_throttle_is_per_address(client, alice):
    for _ in range(5):
        client.post(URL, {"username": "alice", "password": "nope"})
    response = client.post(
        URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.99"
    )
    assert response.status_code == 302


def test_a_success_resets_the_count(client, alice):
    for _ in range(4):
        client.post(URL, {"username": "alice", "password": "nope"})
    client.post(URL, {"username": "alice", "password": PASSWORD})
    client.logout()
    for _ in range(4):
        client.post(URL, {"username": "alice", "password": "nope"})
    response = client.post(URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_logout_is_a_post(alice_client):
    assert alice_client.get(reverse("accounts:logout")).status_code == 405
    response = alice_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == URL
    assert alice_client.get(reverse("servers:list")).status_code == 302
