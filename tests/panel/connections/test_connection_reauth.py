"""A 2FA account's token expires: "needs re-authentication", then a fresh code restores it."""

from __future__ import annotations

from django.urls import reverse

from panel.connections import services
from panel.connections.models import Connection
from panel.grants import services as grants
from panel.grants.permissions import PRESETS
from panel.servers import tasks
from panel.servers.models import MirroredServer
from tests.panel.conftest import API_URL, calls, totp


def _two_factor_connection():
    conn = services.add_connection(
        services.NewConnection(
            name="Secure", username="demo-2fa", password="demo", code=totp(), base_url=API_URL
        )
    )
    from panel.servers import mirror

    mirror.refresh_connection(conn, force=True)
    return conn


def _expire(sandbox, conn):
    """The token expires upstream, and the next refresh of the list (a worker's, queued by
    the list page when the list is stale) finds out."""
    sandbox.set_faults({"expire_tokens": True})
    _refresh_in_background(conn)


def _refresh_in_background(conn):
    """What the list page queues when the list is stale, run as the worker would."""
    Connection.objects.filter(pk=conn.pk).update(servers_checked_at=None)
    tasks.refresh_connection(conn.pk)


def test_an_expired_2fa_token_shows_needs_reauthentication(alice_client, sandbox):
    conn = _two_factor_connection()
    count = MirroredServer.objects.filter(connection=conn).count()
    _expire(sandbox, conn)
    response = alice_client.get(reverse("servers:list"))
    assert response.status_code == 200
    assert "Secure needs re-authentication" in response.text
    assert response.context["result"].page.paginator.count == count  # last known data
    conn.refresh_from_db()
    assert conn.auth_state == "needs_reauth"
    assert conn.token_encrypted == ""


def test_its_servers_show_a_plain_banner_instead_of_an_error(client, alice, sandbox, db):
    conn = _two_factor_connection()
    server = MirroredServer.objects.filter(connection=conn).first()
    customer = alice.__class__.objects.create_user("dave", password="x")
    grants.grant(alice, customer, PRESETS["viewer"], server=server)
    _expire(sandbox, conn)
    client.force_login(customer)
    client.get(reverse("servers:list"))
    response = client.get(reverse("servers:detail", args=[server.pk]))
    assert response.status_code == 200
    assert "until an administrator reconnects its account" in response.text
    assert server.primary_ip in response.text


def test_it_does_not_call_upstream_while_it_needs_reauthentication(alice_client, sandbox):
    conn = _two_factor_connection()
    _expire(sandbox, conn)
    before = sandbox.stats()["calls"]
    _refresh_in_background(conn)
    alice_client.get(reverse("servers:list"))
    alice_client.get(reverse("servers:detail", args=[conn.servers.first().pk]))
    assert sandbox.stats()["calls"] == before


def test_the_connection_page_offers_a_code_field(alice_client, sandbox):
    conn = _two_factor_connection()
    _expire(sandbox, conn)
    response = alice_client.get(reverse("connections:detail", args=[conn.pk]))
    assert "Needs re-authentication" in response.text
    assert 'name="code"' in response.text


def test_a_fresh_code_restores_the_connection(alice_client, sandbox):
    conn = _two_factor_connection()
    _expire(sandbox, conn)
    response = alice_client.post(reverse("connections:reauth", args=[conn.pk]), {"code": totp()})
    assert response.status_code == 302
    conn.refresh_from_db()
    assert conn.auth_state == "ok"
    assert conn.last_error == ""
    response = alice_client.get(reverse("servers:list"))
    assert "needs re-authentication" not in response.text


def test_a_wrong_code_keeps_it_waiting(alice_client, sandbox):
    conn = _two_factor_connection()
    _expire(sandbox, conn)
    response = alice_client.post(reverse("connections:reauth", args=[conn.pk]), {"code": "000000"})
    assert response.status_code == 400
    assert "refused the login" in response.text
    conn.refresh_from_db()
    assert conn.auth_state == "needs_reauth"


def test_the_token_is_reused_across_requests(alice_client, connection, sandbox):
    logins = calls(sandbox, "POST /authenticate")
    _refresh_in_background(connection)
    alice_client.get(reverse("servers:detail", args=[connection.servers.first().pk]))
    assert calls(sandbox, "POST /authenticate") == logins == 1


def test_a_password_account_logs_in_again_by_itself(alice_client, connection, sandbox):
    _expire(sandbox, connection)
    response = alice_client.get(reverse("servers:list"))
    assert "needs re-authentication" not in response.text
    connection.refresh_from_db()
    assert connection.auth_state == "ok"
    assert calls(sandbox, "POST /authenticate") == 2


def test_an_expired_2fa_token_by_the_clock_needs_a_code_without_calling_upstream(
    alice_client, sandbox
):
    from datetime import timedelta

    from django.utils import timezone

    conn = _two_factor_connection()
    Connection.objects.filter(pk=conn.pk).update(
        token_expires_at=timezone.now() - timedelta(seconds=1)
    )
    logins = calls(sandbox, "POST /authenticate")
    _refresh_in_background(conn)
    response = alice_client.get(reverse("servers:list"))
    assert "Secure needs re-authentication" in response.text
    assert calls(sandbox, "POST /authenticate") == logins  # nothing to send without a code


def test_a_refused_password_stops_further_logins(alice_client, connection, sandbox):
    """After Terrahost refuses the stored password, the panel stops trying (an account
    lock-out risk) until an admin enters the new one."""
    Connection.objects.filter(pk=connection.pk).update(
        password_encrypted=_encrypted("changed-upstream")
    )
    _expire(sandbox, connection)
    response = alice_client.get(reverse("servers:list"))
    assert "refused the stored password" in response.text
    logins = calls(sandbox, "POST /authenticate")
    _refresh_in_background(connection)
    alice_client.get(reverse("servers:list"))
    alice_client.get(reverse("servers:detail", args=[connection.servers.first().pk]))
    assert calls(sandbox, "POST /authenticate") == logins
    alice_client.post(
        reverse("connections:password", args=[connection.pk]), {"password": "demo", "code": ""}
    )
    connection.refresh_from_db()
    assert connection.auth_state == "ok"


def _encrypted(text):
    from panel.core import crypto

    return crypto.encrypt(text)
