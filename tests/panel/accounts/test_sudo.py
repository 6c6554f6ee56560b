"""Sudo mode: reinstall, revealing a root password and connection changes ask for the
password (or a code) again unless this session gave it within PANEL_SUDO_MINUTES.

Sessions here come from a bare force_login(), which is not in sudo mode (the persona
clients, like a real login, are)."""

from __future__ import annotations

import time
import uuid
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from panel.accounts import sudo
from panel.audit.models import AuditEntry
from panel.connections.models import Connection
from panel.core import crypto
from panel.operations.models import Operation
from tests.panel.conftest import PASSWORD

CONFIRM = reverse("accounts:sudo")


def confirm_url(next_url: str) -> str:
    return f"{CONFIRM}?{urlencode({'next': next_url})}"


@pytest.fixture
def alice_unconfirmed(client, alice):
    client.force_login(alice)
    return client


@pytest.fixture
def operation(servers, alice):
    return Operation.objects.create(
        kind="reinstall",
        server=servers[0],
        srv_id=servers[0].srv_id,
        idempotency_key=uuid.uuid4().hex,
        status="succeeded",
        initiator=alice,
        root_password_encrypted=crypto.encrypt("secret-root"),
    )


def test_the_reinstall_wizard_asks_first_and_comes_back(alice_unconfirmed, servers, alice):
    wizard = reverse("reinstall:wizard", args=[servers[0].pk]) + "?distro=1"
    response = alice_unconfirmed.get(wizard)
    assert response["Location"] == confirm_url(wizard)
    page = alice_unconfirmed.get(response["Location"])
    assert page.status_code == 200 and "Confirm it is you" in page.text
    response = alice_unconfirmed.post(CONFIRM, {"code": PASSWORD, "next": wizard})
    assert response["Location"] == wizard
    assert alice_unconfirmed.get(wizard).status_code == 200
    assert AuditEntry.objects.filter(action="auth.sudo", actor=alice, result="ok").exists()


def test_revealing_a_root_password_asks_first(alice_unconfirmed, servers, operation):
    reveal = reverse("operations:reveal", args=[servers[0].pk, operation.pk])
    server_page = f"http://testserver{reverse('servers:detail', args=[servers[0].pk])}"
    # Under htmx: the whole page goes to the confirmation, then back to the server's page.
    response = alice_unconfirmed.post(
        reveal, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=server_page
    )
    assert response["HX-Redirect"] == confirm_url(reverse("servers:detail", args=[servers[0].pk]))
    # A plain form: back to the page it was on.
    response = alice_unconfirmed.post(reveal, HTTP_REFERER=server_page)
    assert response["Location"] == confirm_url(reverse("servers:detail", args=[servers[0].pk]))
    operation.refresh_from_db()
    assert operation.root_password_encrypted  # not revealed, not wiped
    alice_unconfirmed.post(CONFIRM, {"code": PASSWORD})
    assert "secret-root" in alice_unconfirmed.post(reveal, HTTP_HX_REQUEST="true").text


@pytest.mark.parametrize(
    "name, method",
    [
        ("connections:add", "get"),
        ("connections:add", "post"),
        ("connections:reauth", "post"),
        ("connections:password", "post"),
        ("connections:delete", "get"),
        ("connections:delete", "post"),
    ],
)
def test_connection_changes_ask_first(alice_unconfirmed, connection, name, method):
    url = reverse(name, args=[] if name == "connections:add" else [connection.pk])
    detail = reverse("connections:detail", args=[connection.pk])
    response = getattr(alice_unconfirmed, method)(url, HTTP_REFERER=f"http://testserver{detail}")
    assert response["Location"] == confirm_url(url if method == "get" else detail)
    assert Connection.objects.filter(pk=connection.pk).exists()


def test_a_login_counts_as_a_confirmation(client, alice, connection):
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert client.get(reverse("connections:add")).status_code == 200


def test_it_lasts_the_configured_minutes(alice_unconfirmed, connection, settings):
    alice_unconfirmed.post(CONFIRM, {"code": PASSWORD})
    url = reverse("connections:delete", args=[connection.pk])
    assert alice_unconfirmed.get(url).status_code == 200
    session = alice_unconfirmed.session
    session[sudo.SESSION_KEY] = time.time() - settings.PANEL_SUDO_MINUTES * 60 - 1
    session.save()
    assert alice_unconfirmed.get(url)["Location"] == confirm_url(url)


def test_users_without_the_permission_are_refused_before_any_question(client, bob, servers):
    client.force_login(bob)  # an Operator on servers 0 and 1: no reinstall
    assert client.get(reverse("reinstall:wizard", args=[servers[0].pk])).status_code == 403
    assert client.get(reverse("reinstall:wizard", args=[servers[5].pk])).status_code == 404
    assert client.get(reverse("connections:add")).status_code == 403


def test_a_wrong_password_is_refused_audited_and_throttled(alice_unconfirmed, alice, settings):
    for _ in range(settings.PANEL_LOGIN_MAX_FAILURES):
        response = alice_unconfirmed.post(CONFIRM, {"code": "wrong"})
        assert response.status_code == 400 and "not right" in response.text
    response = alice_unconfirmed.post(CONFIRM, {"code": PASSWORD})
    assert response.status_code == 429
    assert not sudo.is_active(alice_unconfirmed.session)
    failed = AuditEntry.objects.filter(action="auth.sudo", result="failed")
    assert failed.count() == settings.PANEL_LOGIN_MAX_FAILURES
    assert "wrong" not in repr(list(failed.values()))


def test_with_two_factor_a_code_confirms_too(alice_unconfirmed, alice):
    device = TOTPDevice.objects.create(user=alice, confirmed=True)
    page = alice_unconfirmed.get(CONFIRM)
    assert "Password or code" in page.text
    code = f"{TOTP(device.bin_key).token():06d}"
    assert alice_unconfirmed.post(CONFIRM, {"code": code}).status_code == 302
    assert sudo.is_active(alice_unconfirmed.session)


def test_it_never_sends_the_user_to_another_site(alice_unconfirmed):
    response = alice_unconfirmed.post(CONFIRM, {"code": PASSWORD, "next": "https://evil.example/"})
    assert response["Location"] == reverse("site:home")
