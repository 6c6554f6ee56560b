"""Whether an account uses two-factor authentication is what Terrahost shows, never whether
an admin typed a code: Terrahost takes a code from an account without 2FA, and a
connection wrongly marked "2FA" would need a fresh code after every token expiry."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.connections import services
from panel.connections.errors import ConnectionProblem
from panel.connections.forms import ReauthForm
from panel.connections.models import Connection
from tests.panel.conftest import API_URL, calls, totp

CODE = "123456"  # any code: the demo account has no 2FA


def _lists_after_its_token_expired(conn, sandbox) -> bool:
    sandbox.set_faults({"expire_tokens": True})
    with services.api(Connection.objects.get(pk=conn.pk)) as client:
        servers = client.servers.list()
    return bool(servers) and Connection.objects.get(pk=conn.pk).auth_state == "ok"


def test_a_code_typed_when_adding_an_account_without_2fa(db, sandbox):
    conn = services.add_connection(
        services.NewConnection(
            name="Main", username="demo", password="demo", code=CODE, base_url=API_URL
        )
    )
    assert not conn.uses_2fa
    assert calls(sandbox, "POST /authenticate") == 1  # Terrahost let it in without a code
    assert _lists_after_its_token_expired(conn, sandbox)


def test_a_code_typed_in_the_add_form_for_an_account_without_2fa(alice_client, sandbox):
    data = {"name": "Main", "username": "demo", "password": "demo", "code": CODE}
    response = alice_client.post(reverse("connections:add"), {**data, "base_url": API_URL})
    assert response.status_code == 302
    assert not Connection.objects.get().uses_2fa


def test_a_2fa_account_added_in_one_step_is_known_as_2fa(db, sandbox):
    conn = services.add_connection(
        services.NewConnection(
            name="Secure", username="demo-2fa", password="demo", code=totp(), base_url=API_URL
        )
    )
    assert conn.uses_2fa
    assert calls(sandbox, "POST /authenticate") == 2  # asked for a code, then given it


def test_a_reauthentication_with_a_code_for_an_account_without_2fa(connection, sandbox):
    conn = Connection.objects.get(pk=connection.pk)
    services.reauthenticate(conn, CODE)
    assert not Connection.objects.get(pk=conn.pk).uses_2fa
    assert _lists_after_its_token_expired(conn, sandbox)


def test_a_new_password_with_a_code_for_an_account_without_2fa(connection, sandbox):
    conn = Connection.objects.get(pk=connection.pk)
    services.update_password(conn, "demo", CODE)
    assert not Connection.objects.get(pk=conn.pk).uses_2fa
    assert _lists_after_its_token_expired(conn, sandbox)


def test_a_new_password_repairs_a_connection_wrongly_marked_2fa(connection, sandbox):
    Connection.objects.filter(pk=connection.pk).update(
        uses_2fa=True, auth_state=Connection.AuthState.NEEDS_REAUTH, token_encrypted=""
    )
    conn = Connection.objects.get(pk=connection.pk)
    services.update_password(conn, "demo", CODE)
    conn = Connection.objects.get(pk=connection.pk)
    assert not conn.uses_2fa and conn.auth_state == "ok"
    assert _lists_after_its_token_expired(conn, sandbox)


def test_a_new_password_for_a_2fa_account_needs_the_code(db, sandbox):
    conn = services.add_connection(
        services.NewConnection(
            name="Secure", username="demo-2fa", password="demo", code=totp(), base_url=API_URL
        )
    )
    with pytest.raises(ConnectionProblem) as problem:
        services.update_password(conn, "demo")
    assert problem.value.code == "code_needed"
    services.update_password(conn, "demo", totp())
    assert Connection.objects.get(pk=conn.pk).uses_2fa


def test_a_renewal_learns_2fa_when_terrahost_asks_for_a_code(db, sandbox):
    """An account that turned 2FA on after it was added: one login without a code, then
    "needs re-authentication", and no more logins without a code."""
    conn = services.add_connection(
        services.NewConnection(
            name="Secure", username="demo-2fa", password="demo", code=totp(), base_url=API_URL
        )
    )
    Connection.objects.filter(pk=conn.pk).update(uses_2fa=False)
    sandbox.set_faults({"expire_tokens": True})
    logins = calls(sandbox, "POST /authenticate")
    stale = Connection.objects.get(pk=conn.pk)
    with pytest.raises(ConnectionProblem) as problem, services.api(stale) as client:
        client.servers.list()
    assert problem.value.code == "needs_reauth"
    assert calls(sandbox, "POST /authenticate") == logins + 1
    conn = Connection.objects.get(pk=conn.pk)
    assert conn.uses_2fa and conn.auth_state == "needs_reauth"
    services.reauthenticate(conn, totp())
    assert Connection.objects.get(pk=conn.pk).uses_2fa


@pytest.mark.parametrize("code", ["123456", " 123456 ", "12345678"])
def test_the_code_field_takes_ascii_digits(code):
    form = ReauthForm({"code": code})
    assert form.is_valid()
    assert form.cleaned_data["code"] == code.strip()


# Arabic-Indic and full-width digits are digits to \d, not to an authenticator.
@pytest.mark.parametrize(
    "code",
    [
        "\u0661\u0662\u0663\u0664\u0665\u0666",
        "\uff11\uff12\uff13\uff14\uff15\uff16",
        "12345",
        "12345a",
    ],
)
def test_the_code_field_refuses_anything_else(code):
    form = ReauthForm({"code": code})
    assert not form.is_valid()
    assert form.errors["code"] == ["Enter the 6-digit code, digits only."]
