"""A connection whose secrets were encrypted with a key that is no longer configured:
a plain message on that connection, never a 500, and the other connections keep working."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.urls import reverse

from panel.connections import errors, services
from panel.connections.models import Connection
from panel.servers import tasks
from panel.servers.models import MirroredServer
from tests.panel.conftest import API_URL, calls

MESSAGE = (
    "The stored credentials cannot be decrypted with the current PANEL_ENCRYPTION_KEYS: "
    "enter the password again."
)


def _lost_key(conn):
    """Re-encrypt the connection's secrets with a key the panel does not have; the next
    refresh of the list (a worker's, queued by the list page) finds out."""
    other = Fernet(Fernet.generate_key())
    Connection.objects.filter(pk=conn.pk).update(
        password_encrypted=other.encrypt(b"demo").decode(),
        token_encrypted=other.encrypt(b"some-token").decode(),
        servers_checked_at=None,
    )
    tasks.refresh_connection(conn.pk)


def _second_connection():
    return services.add_connection(
        services.NewConnection(name="Other", username="demo", password="demo", base_url=API_URL)
    )


def test_the_server_list_shows_a_plain_message_and_the_other_connections(
    alice_client, connection, sandbox
):
    other = _second_connection()  # never listed: the list page waits for its first listing
    _lost_key(connection)
    response = alice_client.get(reverse("servers:list"))
    assert response.status_code == 200
    assert MESSAGE in response.text
    conn = Connection.objects.get(pk=connection.pk)
    assert conn.last_error == MESSAGE
    other.refresh_from_db()
    assert other.last_error == "" and other.servers_refreshed_at is not None
    assert MirroredServer.objects.filter(connection=other).exists()


def test_the_server_detail_shows_the_last_known_data(alice_client, connection, sandbox):
    _lost_key(connection)
    before = calls(sandbox, "GET /servers/{id}")
    row = MirroredServer.objects.filter(connection=connection).first()
    response = alice_client.get(reverse("servers:detail", args=[row.pk]))
    assert response.status_code == 200
    assert MESSAGE in response.text
    assert row.primary_ip in response.text
    assert calls(sandbox, "GET /servers/{id}") == before


def test_api_raises_a_connection_problem_and_records_it(connection):
    _lost_key(connection)
    conn = Connection.objects.get(pk=connection.pk)
    with pytest.raises(errors.ConnectionProblem) as problem, services.api(conn):
        pass
    assert problem.value.code == "undecryptable"
    assert problem.value.message == MESSAGE
    assert Connection.objects.get(pk=connection.pk).last_error == MESSAGE


def test_an_unreadable_password_behind_a_readable_token(connection, sandbox):
    """The token still decrypts, the password does not: found when a login is needed."""
    other = Fernet(Fernet.generate_key())
    Connection.objects.filter(pk=connection.pk).update(
        password_encrypted=other.encrypt(b"demo").decode()
    )
    sandbox.set_faults({"expire_tokens": True})
    conn = Connection.objects.get(pk=connection.pk)
    with pytest.raises(errors.ConnectionProblem) as problem, services.api(conn) as client:
        client.servers.list()
    assert problem.value.code == "undecryptable"
    assert calls(sandbox, "POST /authenticate") == 1  # only the fixture's


def test_the_list_and_detail_of_connections_answer(alice_client, connection):
    _lost_key(connection)
    assert alice_client.get(reverse("connections:list")).status_code == 200
    response = alice_client.get(reverse("connections:detail", args=[connection.pk]))
    assert response.status_code == 200
    assert MESSAGE in response.text


def test_a_new_password_repairs_it(alice_client, connection, sandbox):
    _lost_key(connection)
    url = reverse("connections:password", args=[connection.pk])
    response = alice_client.post(url, {"password": "demo", "code": ""})
    assert response.status_code == 302
    conn = Connection.objects.get(pk=connection.pk)
    assert conn.password == "demo" and conn.token
    assert conn.last_error == "" and conn.auth_state == "ok"
