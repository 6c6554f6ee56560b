from __future__ import annotations

import pytest
from django.urls import reverse

from panel.connections import errors, services
from panel.connections.models import Connection
from panel.servers.models import MirroredServer
from tests.panel.conftest import API_URL, calls, totp

URL = reverse("connections:add")


def _post(client, **overrides):
    data = {"name": "Main", "username": "demo", "password": "demo", "code": "", "base_url": API_URL}
    data.update(overrides)
    return client.post(URL, data)


def test_it_shows_the_form_to_admins(alice_client):
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert "Connect a Terrahost account" in response.text


def test_it_is_forbidden_to_non_admins(bob_client):
    assert bob_client.get(URL).status_code == 403
    assert _post(bob_client).status_code == 403
    assert not Connection.objects.filter(name="Main").exists()


def test_it_adds_a_connection_and_fetches_its_servers(alice_client, alice, sandbox):
    response = _post(alice_client)
    conn = Connection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("connections:detail", args=[conn.pk])
    assert conn.created_by == alice
    assert conn.auth_state == "ok"
    assert MirroredServer.objects.filter(connection=conn).count() == 8
    assert calls(sandbox, "POST /authenticate") == 1


def test_it_stores_password_and_token_encrypted(alice_client):
    _post(alice_client)
    conn = Connection.objects.get()
    assert conn.password_encrypted and "demo" not in conn.password_encrypted
    assert conn.password == "demo"
    assert conn.token and conn.token not in conn.token_encrypted
    assert conn.token_expires_at is not None


def test_it_says_plainly_when_the_credentials_are_wrong(alice_client):
    response = _post(alice_client, password="wrong")
    assert response.status_code == 200
    assert "the username or password is wrong" in response.text
    assert not Connection.objects.exists()


def test_it_asks_for_a_code_when_the_account_has_2fa(alice_client):
    response = _post(alice_client, username="demo-2fa")
    assert response.status_code == 200
    assert "Enter the 2FA code" in response.text
    assert response.context["form"].fields.keys() == {"step", "code"}
    assert not Connection.objects.exists()


def test_it_adds_a_2fa_account_with_a_code(alice_client):
    response = _post(alice_client, username="demo-2fa", code=totp())
    assert response.status_code == 302
    conn = Connection.objects.get()
    assert conn.uses_2fa
    assert MirroredServer.objects.filter(connection=conn).count() >= 1


def test_it_refuses_a_wrong_code(alice_client):
    response = _post(alice_client, username="demo-2fa", code="000000")
    assert response.status_code == 200
    assert "refused the login" in response.text
    assert not Connection.objects.exists()


def test_it_says_plainly_when_terrahost_is_unreachable(alice_client):
    response = _post(alice_client, base_url="http://127.0.0.1:9/api/v3")
    assert response.status_code == 200
    assert "could not be reached at http://127.0.0.1:9/api/v3" in response.text
    assert response.context["form"].errors["base_url"]
    assert not Connection.objects.exists()


def test_it_refuses_a_duplicate_name(alice_client):
    _post(alice_client)
    response = _post(alice_client, name="main")
    assert response.status_code == 200
    assert "already exists" in response.text
    assert Connection.objects.count() == 1


def test_a_double_submit_gets_a_form_error_not_a_500(alice_client, monkeypatch):
    """Two submits that both pass the form's name check: the database decides."""
    from panel.connections.forms import ConnectionAddForm

    monkeypatch.setattr(ConnectionAddForm, "clean_name", lambda form: form.cleaned_data["name"])
    assert _post(alice_client).status_code == 302
    response = _post(alice_client, name="MAIN")
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "A connection with this name already exists."
    ]
    assert Connection.objects.count() == 1


def test_names_are_unique_whatever_their_case_in_the_database(db):
    from django.db import IntegrityError, transaction

    Connection.objects.create(name="Main", base_url=API_URL, username="demo")
    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(name="mAIN", base_url=API_URL, username="demo")


def test_the_service_refuses_a_duplicate_name_plainly(db):
    new = services.NewConnection(name="Main", username="demo", password="demo", base_url=API_URL)
    services.add_connection(new)
    again = services.NewConnection(name="main", username="demo", password="demo", base_url=API_URL)
    with pytest.raises(errors.ConnectionProblem) as problem:
        services.add_connection(again)
    assert problem.value.field == "name"
    assert problem.value.message == "A connection with this name already exists."


def test_several_connections_sit_side_by_side(alice_client):
    _post(alice_client, name="One")
    _post(alice_client, name="Two", username="demo-2fa", code=totp())
    assert Connection.objects.count() == 2
    one, two = Connection.objects.order_by("name")
    ids_one = set(MirroredServer.objects.filter(connection=one).values_list("pk", flat=True))
    ids_two = set(MirroredServer.objects.filter(connection=two).values_list("pk", flat=True))
    assert ids_one and ids_two and not ids_one & ids_two
    response = alice_client.get(reverse("servers:list"))
    assert response.context["result"].page.paginator.count == len(ids_one) + len(ids_two)
