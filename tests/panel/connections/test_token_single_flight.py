"""One login per account at a time, across threads (and so processes: the lock is in Redis),
whether the token ran out by the clock or Terrahost answered a call with a 401."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from panel.connections import services, tokens
from panel.connections.errors import ConnectionProblem, describe
from panel.connections.models import Connection
from panel.core import crypto
from terrahost_client.errors import AuthError, TerrahostError
from terrahost_client.models import Token
from tests.panel.conftest import API_URL, calls, totp


def _in_parallel(connection, count: int = 20) -> list[BaseException]:
    """`count` threads, each with its own row (like separate processes), read one server
    at the same moment through services.api(); returns what they raised."""
    srv_id = connection.servers.first().srv_id
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def work():
        try:
            conn = Connection.objects.get(pk=connection.pk)
            barrier.wait()
            with services.api(conn) as client:
                client.servers.get(srv_id)
        except BaseException as error:
            errors.append(error)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_20_workers_with_an_expired_token_log_in_once(connection, sandbox):
    Connection.objects.filter(pk=connection.pk).update(
        token_expires_at=timezone.now() - timedelta(seconds=1)
    )
    sandbox.set_faults({"latency_ms": 200})
    before = calls(sandbox, "POST /authenticate")
    errors = _in_parallel(connection)
    assert not errors, errors
    assert calls(sandbox, "POST /authenticate") - before == 1
    conn = Connection.objects.get(pk=connection.pk)
    assert conn.token_expires_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_20_workers_whose_token_gets_a_401_log_in_once(connection, sandbox):
    """The token looks valid by the clock but Terrahost refuses it: the Client must not
    log in by itself in every worker."""
    sandbox.set_faults({"latency_ms": 100, "expire_tokens": True})
    old_token = Connection.objects.get(pk=connection.pk).token
    before = calls(sandbox, "POST /authenticate")
    errors = _in_parallel(connection)
    assert not errors, errors
    assert calls(sandbox, "POST /authenticate") - before == 1
    conn = Connection.objects.get(pk=connection.pk)
    assert conn.auth_state == "ok"
    assert conn.token != old_token


@pytest.mark.django_db(transaction=True)
def test_with_one_session_per_account_every_worker_still_succeeds(connection, sandbox):
    """Terrahost may revoke older tokens at each login: 20 logins would cancel each other
    and end with the connection wrongly marked "password refused"."""
    sandbox.set_faults({"latency_ms": 100, "single_session": True, "expire_tokens": True})
    before = calls(sandbox, "POST /authenticate")
    errors = _in_parallel(connection)
    assert not errors, errors
    assert calls(sandbox, "POST /authenticate") - before == 1
    conn = Connection.objects.get(pk=connection.pk)
    assert conn.auth_state == "ok"
    assert conn.last_error == ""


def test_an_ordinary_401_never_marks_the_password_refused(connection, sandbox, monkeypatch):
    """Only POST /authenticate refusing the password means "login refused"."""
    sandbox.set_faults({"expire_tokens": True})

    class UselessLogin:
        def __init__(self, conn):
            pass

        def authenticate(self):  # a login that "works" but gives a token Terrahost refuses
            return Token(token="0" * 40, expires_at=timezone.now() + timedelta(hours=1))

    monkeypatch.setattr(tokens, "login_client", UselessLogin)
    conn = Connection.objects.get(pk=connection.pk)
    with pytest.raises(AuthError), services.api(conn) as client:
        client.servers.list()
    conn.refresh_from_db()
    assert conn.auth_state == "ok"


def test_a_refused_login_marks_the_connection(connection, sandbox):
    sandbox.set_faults({"expire_tokens": True})
    Connection.objects.filter(pk=connection.pk).update(
        password_encrypted=crypto.encrypt("changed-upstream")
    )
    conn = Connection.objects.get(pk=connection.pk)
    with pytest.raises(ConnectionProblem) as problem, services.api(conn) as client:
        client.servers.list()
    assert problem.value.code == "login_refused"
    conn.refresh_from_db()
    assert conn.auth_state == "failed"
    assert "refused the stored password" in conn.last_error


def _two_factor_connection():
    return services.add_connection(
        services.NewConnection(
            name="Secure", username="demo-2fa", password="demo", code=totp(), base_url=API_URL
        )
    )


def test_a_stale_request_after_a_reauth_uses_the_new_token(db, sandbox):
    """A request that started with the old token, while an admin entered a fresh code,
    must neither clear the admin's token nor mark the connection "needs re-auth"."""
    conn = _two_factor_connection()
    srv_id = None
    stale = Connection.objects.get(pk=conn.pk)
    with services.api(stale) as client:  # built with the token of that moment
        sandbox.set_faults({"expire_tokens": True})
        services.reauthenticate(Connection.objects.get(pk=conn.pk), totp())
        renewed = Connection.objects.get(pk=conn.pk).token_encrypted
        servers = client.servers.list()  # 401 with the old token; then the admin's token
        srv_id = servers[0].id
    assert srv_id
    fresh = Connection.objects.get(pk=conn.pk)
    assert fresh.auth_state == "ok"
    assert fresh.token_encrypted == renewed


def test_a_failed_login_does_not_undo_a_reauth_made_meanwhile(db, sandbox, monkeypatch):
    """The 2FA token expires; a request's provider finds no token and gives up (a code is
    needed), but an admin entered a fresh code while it was deciding: the admin wins."""
    conn = _two_factor_connection()
    sandbox.set_faults({"expire_tokens": True})
    original = tokens.login_client

    def admin_meanwhile(connection, **kwargs):
        monkeypatch.setattr(tokens, "login_client", original)  # the admin's own login
        services.reauthenticate(Connection.objects.get(pk=conn.pk), totp())
        return original(connection, **kwargs)

    monkeypatch.setattr(tokens, "login_client", admin_meanwhile)
    stale = Connection.objects.get(pk=conn.pk)
    with services.api(stale) as client:
        client.servers.list()
    fresh = Connection.objects.get(pk=conn.pk)
    assert fresh.auth_state == "ok"
    assert fresh.token_encrypted


def test_a_2fa_token_refused_with_nobody_renewing_needs_reauth(db, sandbox):
    conn = _two_factor_connection()
    sandbox.set_faults({"expire_tokens": True})
    logins = calls(sandbox, "POST /authenticate")
    stale = Connection.objects.get(pk=conn.pk)
    with pytest.raises(ConnectionProblem) as problem, services.api(stale) as client:
        client.servers.list()
    assert problem.value.code == "needs_reauth"
    assert calls(sandbox, "POST /authenticate") == logins  # no code, nothing to send
    fresh = Connection.objects.get(pk=conn.pk)
    assert fresh.auth_state == "needs_reauth"
    assert fresh.token_encrypted == ""


def test_a_stored_token_is_not_replaced_by_an_older_login(connection):
    """_save_token writes only over the token it replaces."""
    conn = Connection.objects.get(pk=connection.pk)
    used = conn.token_encrypted
    Connection.objects.filter(pk=conn.pk).update(token_encrypted=crypto.encrypt("new"))
    token = Token(token="late", expires_at=timezone.now() + timedelta(hours=1))
    assert not tokens._save_token(conn, token, replacing=used)
    assert Connection.objects.get(pk=conn.pk).token == "new"


@pytest.mark.django_db(transaction=True)
def test_a_failing_login_is_not_repeated_by_every_waiting_worker(connection, sandbox):
    """Terrahost answers POST /authenticate with 503s: one login (with its retries) runs,
    the workers that waited for it get its outcome instead of trying again in turn."""
    sandbox.set_faults({"expire_tokens": True, "error_rate": 1.0, "routes": ["POST /authenticate"]})
    before = calls(sandbox, "POST /authenticate")
    errors = _in_parallel(connection, count=10)
    assert len(errors) == 10
    assert all(isinstance(error, TerrahostError) for error in errors), errors
    assert {describe(error) for error in errors} == {
        "Terrahost had a problem answering; it will be tried again shortly."
    }
    attempts_per_login = 1 + 1  # PANEL_API_MAX_RETRIES is 1 in the tests
    assert calls(sandbox, "POST /authenticate") - before == attempts_per_login
    assert Connection.objects.get(pk=connection.pk).auth_state == "ok"


def test_without_redis_the_login_still_works(connection, sandbox, monkeypatch, caplog):
    import redis

    from panel.core import locks

    def refused(self):
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(locks.CacheLock, "acquire", refused)
    monkeypatch.setattr(tokens, "_raise_recent_failure", lambda conn: None)
    sandbox.set_faults({"expire_tokens": True})
    conn = Connection.objects.get(pk=connection.pk)
    with services.api(conn) as client:
        assert client.servers.list()
    assert "logging in without the lock" in caplog.text
    assert Connection.objects.get(pk=connection.pk).token != connection.token
