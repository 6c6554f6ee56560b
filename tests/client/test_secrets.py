"""Secrets never reach a log, an exception (or its chain), a repr or a model's `.raw`."""

import logging
import traceback

import pytest

from terrahost_client.errors import APIError, TransportError
from terrahost_client.sandbox import totp_code

SECRET_PASSWORD = "s3cret-Passw0rd"


def everything_about(error: BaseException) -> str:
    """The error's text, its chain and the attributes a careless logger might print."""
    parts = ["".join(traceback.format_exception(error)), repr(vars(error))]
    cause = error
    while cause is not None:
        parts.append(repr(cause))
        cause = cause.__cause__ or cause.__context__
    return "\n".join(parts)


def test_a_dropped_login_carries_neither_password_nor_header(make_client, sandbox):
    sandbox.set_faults({"disconnect_rate": 1.0, "routes": ["POST /authenticate"]})
    client = make_client(password=SECRET_PASSWORD, max_retries=0)
    with pytest.raises(TransportError) as raised:
        client.servers.list()
    assert SECRET_PASSWORD not in everything_about(raised.value)


def test_a_dropped_call_does_not_carry_the_token(client, sandbox):
    token = client.authenticate().token
    sandbox.set_faults({"disconnect_rate": 1.0, "routes": ["GET /my/account"]})
    with pytest.raises(TransportError) as raised:
        client.account.get()
    assert token not in everything_about(raised.value)


def test_api_errors_carry_a_redacted_body(make_client):
    with pytest.raises(APIError) as raised:
        make_client(password=SECRET_PASSWORD).servers.list()
    assert SECRET_PASSWORD not in everything_about(raised.value)


def test_a_2fa_code_is_masked_in_debug_logs(make_client, caplog):
    caplog.set_level(logging.DEBUG, logger="terrahost_client")
    code = totp_code()
    make_client("demo-2fa", code=code).servers.list()
    assert '"code": "********"' in caplog.text
    assert code not in caplog.text


def test_root_and_console_passwords_stay_out_of_raw_and_repr(client):
    server = next(s for s in client.servers.list() if s.has_management)
    session = client.servers.ipmi_session(server.id)
    assert session.password
    assert session.password not in repr(session) + repr(session.raw)
    detail = client.servers.get(server.id)
    assert session.password not in repr(detail.raw)
    result = client.reinstall.start(server.id, 101, "secret.example.com")
    assert result.root_password not in repr(result) + repr(result.raw)


def test_redact_masks_nested_secrets_and_keeps_empty_ones_and_the_rest():
    from terrahost_client import redact

    record = {
        "srv_id": "1",
        "srv_vnc_password": "",
        "ipmi_session": {"kvm_password": "pw", "kvm_ip_address": "192.0.2.1"},
        "ips": [{"ip_address": "192.0.2.2", "Token": "t"}],
        "password": {"nested": "x"},
    }
    assert redact(record) == {
        "srv_id": "1",
        "srv_vnc_password": "",
        "ipmi_session": {"kvm_password": "********", "kvm_ip_address": "192.0.2.1"},
        "ips": [{"ip_address": "192.0.2.2", "Token": "********"}],
        "password": "********",
    }
    assert record["ipmi_session"]["kvm_password"] == "pw"  # a copy, not in place


def test_the_server_key_is_masked_in_raw_and_error_bodies(client, sandbox):
    srv_id = client.servers.list()[0].id
    key = sandbox.state.servers[srv_id].serverkey
    assert len(key) == 32
    for server in (client.servers.get(srv_id), *client.servers.list()):
        assert server.raw["srv_serverkey"] == "********"
        assert key not in repr(server) + repr(server.raw)
    from terrahost_client import redact

    assert redact({"meta": {"status": 500}, "data": [{"srv_serverkey": key}]}) == {
        "meta": {"status": 500},
        "data": [{"srv_serverkey": "********"}],
    }
