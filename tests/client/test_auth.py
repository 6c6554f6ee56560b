"""Logging in: token reuse, one login for many threads, re-login on 401, 2FA accounts."""

from datetime import UTC, datetime, timedelta

import pytest

from terrahost_client.errors import AuthError, ReauthenticationRequired
from terrahost_client.sandbox import totp_code

from .conftest import at_once, calls


def test_it_logs_in_once_and_reuses_the_token(client, sandbox):
    client.servers.list()
    client.servers.list()
    client.account.get()
    assert calls(sandbox, "POST /authenticate") == 1


def test_it_hands_every_new_token_to_the_owner(make_client, sandbox):
    seen = []
    client = make_client(on_token=lambda token, expires: seen.append((token, expires)))
    client.servers.list()
    ((token, expires),) = seen
    assert token == client.token.token
    assert expires > datetime.now(UTC)


def test_it_uses_a_stored_token_without_logging_in(make_client, sandbox):
    first = make_client()
    token = first.authenticate()
    second = make_client(token=token.token, token_expire=int(token.expires_at.timestamp()))
    second.servers.list()
    assert calls(sandbox, "POST /authenticate") == 1


def test_it_logs_in_again_shortly_before_the_token_expires(make_client, sandbox):
    first = make_client()
    token = first.authenticate()
    soon = datetime.now(UTC) + timedelta(seconds=30)
    client = make_client(token=token.token, token_expire=soon)
    client.servers.list()
    assert calls(sandbox, "POST /authenticate") == 2


def test_it_logs_in_once_more_and_repeats_the_call_once_on_401(client, sandbox):
    client.servers.list()
    sandbox.set_faults({"expire_tokens": True})
    assert client.servers.list()
    assert calls(sandbox, "POST /authenticate") == 2
    assert calls(sandbox, "GET /servers", 401) == 1


def test_it_repeats_a_refused_write_once_after_a_401(client, sandbox):
    srv_id = client.servers.list()[0].id
    sandbox.set_faults({"expire_tokens": True})
    client.servers.reboot(srv_id)
    assert calls(sandbox, "GET /servers/{id}/reboot", 401) == 1
    assert calls(sandbox, "GET /servers/{id}/reboot", 200) == 1


def test_twenty_threads_needing_a_token_cause_one_login(client, sandbox):
    sandbox.set_faults({"latency_ms": 30})
    assert at_once(client.account.get) == []
    assert calls(sandbox, "POST /authenticate") == 1
    assert calls(sandbox, "GET /my/account", 200) == 20


def test_it_raises_auth_error_for_a_wrong_password(make_client):
    with pytest.raises(AuthError) as raised:
        make_client(password="wrong").servers.list()
    assert not isinstance(raised.value, ReauthenticationRequired)
    assert raised.value.status == 401
    assert raised.value.message


def test_it_logs_in_to_a_2fa_account_with_a_code(make_client):
    client = make_client("demo-2fa", code=totp_code())
    assert client.servers.list()


def test_a_2fa_account_without_a_code_needs_reauthentication(make_client):
    with pytest.raises(ReauthenticationRequired):
        make_client("demo-2fa").servers.list()


def test_an_expired_2fa_token_needs_reauthentication_without_looping(make_client, sandbox):
    client = make_client("demo-2fa", code=totp_code())
    client.servers.list()
    sandbox.set_faults({"expire_tokens": True})
    with pytest.raises(ReauthenticationRequired):
        client.servers.list()
    with pytest.raises(ReauthenticationRequired):
        client.servers.list()
    assert calls(sandbox, "POST /authenticate") == 1
    client.authenticate(code=totp_code())
    assert client.servers.list()


def test_a_2fa_account_found_out_by_its_answer_is_not_logged_in_again(make_client, sandbox):
    """A stored token without the 2FA flag: once Terrahost asks for a code, stop trying."""
    token = make_client("demo-2fa", code=totp_code()).authenticate()
    client = make_client("demo-2fa", token=token.token, token_expire=token.expires_at)
    sandbox.set_faults({"expire_tokens": True})
    for _ in range(3):
        with pytest.raises(ReauthenticationRequired):
            client.servers.list()
    assert calls(sandbox, "POST /authenticate") == 2  # the first login, and one that asked


def test_a_login_is_repeated_after_a_gateway_error(make_client, sandbox, monkeypatch):
    monkeypatch.setattr("terrahost_client.client.time.sleep", lambda seconds: None)
    sandbox.set_faults({"error_rate": 1.0, "routes": ["POST /authenticate"]})
    client = make_client(max_retries=2)
    with pytest.raises(Exception):  # noqa: B017 - any 5xx; the count is the point
        client.servers.list()
    assert calls(sandbox, "POST /authenticate") == 3


def test_a_login_with_a_code_is_never_repeated(make_client, sandbox):
    sandbox.set_faults({"error_rate": 1.0, "routes": ["POST /authenticate"]})
    with pytest.raises(Exception):  # noqa: B017
        make_client("demo-2fa", code=totp_code()).servers.list()
    assert calls(sandbox, "POST /authenticate") == 1


def test_a_token_provider_replaces_the_clients_own_logins(make_client, sandbox):
    login = make_client()
    asked = []

    def provider(stale):
        asked.append(stale)
        token = login.authenticate()
        return token.token, token.expires_at

    client = make_client(password=None, token_provider=provider)
    client.servers.list()
    first = client.token.token
    sandbox.set_faults({"expire_tokens": True})
    client.servers.list()
    assert asked == [None, first]  # once at the start, once with the refused token
    assert calls(sandbox, "POST /authenticate") == 2
