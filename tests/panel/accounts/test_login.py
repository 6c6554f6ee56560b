from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import forms as auth_forms
from django.core import signing
from django.db import connection as db_connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from panel.accounts import throttle
from panel.accounts.models import LoginAttempt
from panel.audit.models import AuditEntry
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


OSLO = ZoneInfo("Europe/Oslo")


def test_it_throttles_after_five_failures_per_username_and_address(client, alice):
    with time_machine.travel(datetime(2026, 3, 10, 14, 7, 30, tzinfo=OSLO), tick=False):
        for _ in range(5):
            client.post(URL, {"username": "alice", "password": "nope"})
        response = client.post(URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # The end of the lock in plain words: the first failure's time plus the window (15
    # minutes), rounded up to the minute.
    assert "Too many failed attempts. Try again after 14:23." in response.text


def test_a_lock_that_ends_tomorrow_says_the_day(client, alice):
    with time_machine.travel(datetime(2026, 3, 10, 23, 55, tzinfo=OSLO), tick=False):
        for _ in range(6):
            response = client.post(URL, {"username": "alice", "password": "nope"})
    assert "Too many failed attempts. Try again after 11 Mar 2026 00:10." in response.text


def test_a_throttled_attempt_is_audited(client, alice):
    for _ in range(6):
        client.post(URL, {"username": "alice", "password": "nope"})
    entry = AuditEntry.objects.filter(action="auth.login_failed").latest("pk")
    assert entry.result == "refused" and "not checked" in entry.message


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
    fresh = Client()  # a browser that never logged in, from addresses never used
    for number in range(settings.PANEL_LOGIN_MAX_FAILURES_PER_USERNAME):
        fresh.post(
            URL, {"username": "alice", "password": "nope"}, REMOTE_ADDR=f"198.51.100.{number}"
        )
    response = fresh.post(
        URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="203.0.113.5"
    )
    assert response.status_code == 429
    assert "Too many failed attempts" in response.text
    other = fresh.post(URL, {"username": "bob", "password": "x"}, REMOTE_ADDR="203.0.113.5")
    assert "Too many failed attempts" not in other.text  # per username


def lock_out_alice_by_username(settings) -> None:
    """An attacker's 20 guesses from 20 addresses, without any cookie."""
    attacker = Client()
    for number in range(settings.PANEL_LOGIN_MAX_FAILURES_PER_USERNAME):
        attacker.post(
            URL, {"username": "alice", "password": "nope"}, REMOTE_ADDR=f"198.51.100.{number}"
        )
    locked = Client().post(URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="::1")
    assert locked.status_code == 429


def test_a_browser_that_logged_in_before_is_not_locked_out_by_others(alice, settings):
    """The per-username limit cannot be turned against the user: their own browser (the
    signed device cookie) still gets in, from an address never used before."""
    own = Client()
    assert own.post(URL, {"username": "alice", "password": PASSWORD}).status_code == 302
    own.post(reverse("accounts:logout"))
    lock_out_alice_by_username(settings)
    response = own.post(
        URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="203.0.113.77"
    )
    assert response.status_code == 302
    # ...but the cookie does not lift the per-address limit.
    own.post(reverse("accounts:logout"))
    for _ in range(5):
        own.post(URL, {"username": "alice", "password": "nope"}, REMOTE_ADDR="203.0.113.78")
    response = own.post(
        URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="203.0.113.78"
    )
    assert response.status_code == 429


def test_an_address_that_logged_in_before_is_not_locked_out_by_others(alice, settings):
    first = Client()
    response = first.post(
        URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.50"
    )
    assert response.status_code == 302
    lock_out_alice_by_username(settings)
    # Another browser (no cookie) at the same address, e.g. the office's other computer.
    response = Client().post(
        URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.50"
    )
    assert response.status_code == 302


def test_the_device_cookie_is_signed_private_and_long_lived(alice, settings):
    settings.SESSION_COOKIE_SECURE = True
    browser = Client()
    browser.post(URL, {"username": "alice", "password": PASSWORD})
    cookie = browser.cookies[throttle.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 90 * 86400
    assert signing.loads(cookie.value, salt="panel.accounts.throttle.device") == ["alice"]
    # Tampered with, or made up: worth nothing.
    lock_out_alice_by_username(settings)
    for forged in (cookie.value[:-2] + "xx", signing.dumps(["alice"], salt="other")):
        other = Client()
        other.cookies[throttle.DEVICE_COOKIE] = forged
        response = other.post(
            URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
        )
        assert response.status_code == 429


def test_one_browser_remembers_several_usernames(alice, bob):
    browser = Client()
    for name in ("alice", "bob"):
        browser.post(URL, {"username": name, "password": PASSWORD})
        browser.post(reverse("accounts:logout"))
    request = RequestFactory().get("/")
    request.COOKIES[throttle.DEVICE_COOKIE] = browser.cookies[throttle.DEVICE_COOKIE].value
    assert throttle.device_names(request) == ["alice", "bob"]


def test_attempts_refused_for_their_address_do_not_count_for_the_username(client, alice):
    for _ in range(40):
        client.post(URL, {"username": "alice", "password": "nope"}, REMOTE_ADDR="192.0.2.1")
    response = client.post(
        URL, {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="192.0.2.2"
    )
    assert response.status_code == 302


def test_the_table_holds_no_typed_username_and_old_rows_go(client, alice, settings):
    client.post(URL, {"username": "my secret passphrase", "password": "nope"})
    assert "passphrase" not in str(list(LoginAttempt.objects.values()))
    LoginAttempt.objects.update(
        at=timezone.now() - timedelta(seconds=settings.PANEL_LOGIN_WINDOW + 1)
    )
    client.post(URL, {"username": "alice", "password": "nope"})
    assert LoginAttempt.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_make_at_most_five_password_checks(alice, monkeypatch):
    """Written down before the check: 20 wrong passwords sent at once cannot all be tried."""
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
    assert len(statuses) == 20 and set(statuses) <= {200, 429}
    assert len(checks) <= 5
    assert statuses.count(200) == len(checks)


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


def test_the_limits_hold_when_redis_is_down(client, alice, settings):
    """The throttle lives in the database: a cache that does not answer changes nothing."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    for _ in range(5):
        client.post(URL, {"username": "alice", "password": "nope"})
    response = client.post(URL, {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429


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


def test_logout_says_so(alice_client):
    response = alice_client.post(reverse("accounts:logout"), follow=True)
    assert response.redirect_chain[-1][0] == URL
    assert "You are logged out." in response.text
