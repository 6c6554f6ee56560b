from __future__ import annotations

import threading
import time

import pytest
import redis
from django.contrib.auth import forms as auth_forms
from django.db import connection as db_connection
from django.test import Client
from django.urls import reverse

from panel.accounts import throttle
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


def test_one_address_cannot_lock_out_the_others_but_many_addresses_are_limited(
    client, alice, settings
):
    """5 failures per address, 20 per username from all addresses together: an attacker
    who rotates addresses gets 20 guesses per window, not unlimited ones."""
    for _ in range(5):
        client.post(URL, {"username": "alice", "password": "nope"}, REMOTE_ADDR="192.0.2.1")
    ok = client.post(URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.99")
    assert ok.status_code == 302  # alice elsewhere still gets in
    client.logout()
    for number in range(settings.PANEL_LOGIN_MAX_FAILURES_PER_USERNAME):
        client.post(
            URL, {"username": "alice", "password": "nope"}, REMOTE_ADDR=f"198.51.100.{number}"
        )
    response = client.post(
        URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="203.0.113.5"
    )
    assert response.status_code == 200
    assert "Too many failed attempts" in response.text
    other = client.post(URL, {"username": "bob", "password": "x"}, REMOTE_ADDR="203.0.113.5")
    assert "Too many failed attempts" not in other.text  # per username


def test_attempts_refused_for_their_address_do_not_count_for_the_username(client, alice):
    for _ in range(40):
        client.post(URL, {"username": "alice", "password": "nope"}, REMOTE_ADDR="192.0.2.1")
    response = client.post(
        URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.2"
    )
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_make_at_most_five_password_checks(alice, monkeypatch):
    """Counted before the check: 20 wrong passwords sent at once cannot all be tried."""
    checks = []
    real = auth_forms.authenticate

    def counting(*args, **kwargs):
        checks.append(1)
        time.sleep(0.05)  # a slow hasher: the others arrive meanwhile
        return real(*args, **kwargs)

    monkeypatch.setattr(auth_forms, "authenticate", counting)
    barrier = threading.Barrier(20)
    statuses = []

    def guess(number):
        try:
            barrier.wait()
            response = Client().post(URL, {"username": "alice", "password": f"guess-{number}"})
            statuses.append(response.status_code)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 20
    assert len(checks) <= 5


def test_behind_a_proxy_the_last_forwarded_hop_is_the_address(client, alice, settings):
    settings.PANEL_BEHIND_PROXY = True
    for number in range(5):  # the client makes up the first hops; the proxy adds the last
        client.post(
            URL,
            {"username": "alice", "password": "nope"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{number}, 192.0.2.7",
        )
    response = client.post(
        URL,
        {"username": "alice", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="10.9.9.9, 192.0.2.7",
    )
    assert "Too many failed attempts" in response.text
    response = client.post(
        URL,
        {"username": "alice", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.8",
    )
    assert response.status_code == 302


def test_without_a_proxy_x_forwarded_for_is_ignored(client, alice, settings):
    settings.PANEL_BEHIND_PROXY = False
    for number in range(5):
        client.post(
            URL,
            {"username": "alice", "password": "nope"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
    response = client.post(
        URL, {"username": "alice", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.200"
    )
    assert "Too many failed attempts" in response.text


def test_a_redis_outage_does_not_break_the_login(client, alice, monkeypatch, caplog):
    """The throttle fails open with a warning (see panel.accounts.throttle)."""

    class Down:
        def __getattr__(self, name):
            def refused(*args, **kwargs):
                raise redis.ConnectionError("Connection refused")

            return refused

    monkeypatch.setattr(throttle, "cache", Down())
    response = client.post(URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert "login throttling is off" in caplog.text


def test_next_cannot_send_the_user_to_another_site(client, alice):
    for target in ("https://evil.example/", "//evil.example/", "https:/evil.example/"):
        response = client.post(
            f"{URL}?next={target}", {"username": "alice", "password": PASSWORD, "next": target}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("servers:list"), target
        client.logout()


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
