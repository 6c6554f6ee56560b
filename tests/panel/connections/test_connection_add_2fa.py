"""Adding a 2FA account in two steps: the details, then only the code.

The password waits in the session encrypted, is never rendered back into the page, and
a cancel forgets it.
"""

from __future__ import annotations

from django.urls import reverse

from panel.connections.models import Connection
from panel.connections.views import PENDING_KEY
from panel.core import crypto
from panel.servers.models import MirroredServer
from tests.panel.conftest import API_URL, calls, totp

URL = reverse("connections:add")
PASSWORD = "demo"  # the sandbox's password for demo-2fa


def _first_step(client):
    data = {
        "name": "Secure",
        "username": "demo-2fa",
        "password": PASSWORD,
        "code": "",
        "base_url": API_URL,
    }
    return client.post(URL, data)


def test_it_asks_only_for_the_code_and_keeps_the_password_encrypted(alice_client, sandbox):
    response = _first_step(alice_client)
    assert response.status_code == 200
    html = response.text
    assert "Enter the 2FA code" in html
    assert "demo-2fa" in html and "Secure" in html
    assert 'name="code"' in html
    assert 'name="password"' not in html and 'type="password"' not in html
    assert 'autocomplete="one-time-code"' in html
    pending = alice_client.session[PENDING_KEY]
    assert pending["password"] != PASSWORD and PASSWORD not in pending["password"]
    assert crypto.decrypt(pending["password"]) == PASSWORD
    assert pending["password"] not in html
    assert not Connection.objects.exists()
    assert calls(sandbox, "POST /authenticate") == 1


def test_a_reload_shows_the_code_step_again(alice_client):
    _first_step(alice_client)
    response = alice_client.get(URL)
    assert "Enter the 2FA code" in response.text
    assert 'name="password"' not in response.text


def test_the_code_completes_the_connection(alice_client, alice, sandbox):
    _first_step(alice_client)
    response = alice_client.post(URL, {"step": "code", "code": totp()})
    conn = Connection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("connections:detail", args=[conn.pk])
    assert conn.name == "Secure" and conn.username == "demo-2fa"
    assert conn.password == PASSWORD
    assert conn.uses_2fa and conn.auth_state == "ok"
    assert conn.created_by == alice
    assert MirroredServer.objects.filter(connection=conn).exists()
    assert PENDING_KEY not in alice_client.session
    assert calls(sandbox, "POST /authenticate") == 2


def test_a_wrong_code_asks_again(alice_client):
    _first_step(alice_client)
    response = alice_client.post(URL, {"step": "code", "code": "000000"})
    assert response.status_code == 200
    assert "Enter the 2FA code" in response.text
    assert "refused the login" in response.text
    assert PENDING_KEY in alice_client.session
    assert not Connection.objects.exists()
    response = alice_client.post(URL, {"step": "code", "code": totp()})
    assert response.status_code == 302
    assert Connection.objects.get().uses_2fa


def test_cancel_forgets_the_pending_credentials(alice_client):
    _first_step(alice_client)
    response = alice_client.post(URL, {"step": "code", "action": "cancel", "code": ""})
    assert response.status_code == 302
    assert response["Location"] == URL
    assert PENDING_KEY not in alice_client.session
    response = alice_client.get(URL)
    assert "Connect a Terrahost account" in response.text
    assert 'name="password"' in response.text
    assert not Connection.objects.exists()


def test_a_new_first_step_replaces_the_pending_one(alice_client):
    _first_step(alice_client)
    data = {"name": "Main", "username": "demo", "password": "demo", "base_url": API_URL}
    response = alice_client.post(URL, data)
    assert response.status_code == 302
    assert Connection.objects.get().name == "Main"
    assert PENDING_KEY not in alice_client.session


def test_a_pending_add_expires(alice_client, monkeypatch):
    from panel.connections import views

    _first_step(alice_client)
    monkeypatch.setattr(views, "PENDING_MAX_AGE", -1)
    assert "Connect a Terrahost account" in alice_client.get(URL).text
    response = alice_client.post(URL, {"step": "code", "code": totp()})
    assert response.status_code == 302
    assert not Connection.objects.exists()
