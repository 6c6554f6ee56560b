"""The root password of a reinstall: in the reinstall answer (docs) or, on some accounts, only
in the server record while the install runs, as `install_details.root_password` (API notes)."""

import json
import logging

import pytest

from terrahost_client._secrets import MASK
from terrahost_client.client import _parse
from terrahost_client.errors import ServerError
from terrahost_client.models import Server
from terrahost_client.sandbox import REINSTALL_DELAY, SandboxApp

from .test_quirks import Answer

# Hand-written in the shape the notes report, NOT a recording: only `root_password` inside
# install_details has been reported; the other field is a placeholder.
INSTALLING = {
    "srv_id": "3523",
    "srv_name": "web-01",
    "srv_status_install": "1",
    "install_details": {"root_password": "Hand-Written-Pw-1", "os_id": "101"},
}


@pytest.fixture
def record_mode_client(make_client):
    app = SandboxApp(seed=1, root_password_in_server_record=True)
    return app, make_client(app=app)


def start_reinstall(client, srv_id):
    return client.reinstall.start(srv_id, 101, "fresh.example.com")


def test_it_reads_the_password_from_install_details_and_masks_the_whole_object():
    server = Server.from_api(INSTALLING)
    assert server.install_root_password == "Hand-Written-Pw-1"
    assert server.raw["install_details"] == MASK
    assert "Hand-Written-Pw-1" not in repr(server) + repr(server.raw)
    assert INSTALLING["install_details"]["root_password"] == "Hand-Written-Pw-1"  # a copy


@pytest.mark.parametrize("details", [None, {}, [], "", {"root_password": ""}])
def test_a_record_without_install_details_has_no_password(details):
    assert Server.from_api({**INSTALLING, "install_details": details}).install_root_password == ""


def test_by_default_the_password_is_in_the_reinstall_answer_only(client):
    srv_id = client.servers.list()[0].id
    result = start_reinstall(client, srv_id)
    assert len(result.root_password) >= 12
    server = client.servers.get(srv_id)
    assert server.is_installing and server.install_root_password == ""


def test_in_record_mode_the_answer_is_empty_and_the_record_carries_it(record_mode_client):
    app, client = record_mode_client
    srv_id = client.servers.list()[0].id
    assert start_reinstall(client, srv_id).root_password == ""
    expected = app.state.servers[srv_id].install_details["root_password"]
    assert client.servers.get(srv_id).install_root_password == expected
    listed = next(s for s in client.servers.list() if s.id == srv_id)
    assert listed.install_root_password == expected
    assert listed.raw["install_details"] == MASK
    app.advance(REINSTALL_DELAY)
    done = client.servers.get(srv_id)
    assert not done.is_installing and done.install_root_password == ""


def test_wait_for_root_password_returns_it_from_the_record(record_mode_client):
    app, client = record_mode_client
    srv_id = client.servers.list()[0].id
    result = start_reinstall(client, srv_id)
    password = result.root_password or client.servers.wait_for_root_password(
        srv_id, sleep=app.advance
    )
    assert password == app.state.servers[srv_id].install_details["root_password"]


def test_wait_for_root_password_gives_up_when_the_install_ends_without_one(client, sandbox):
    srv_id = client.servers.list()[0].id
    start_reinstall(client, srv_id)
    assert client.servers.wait_for_root_password(srv_id, sleep=sandbox.advance) == ""
    assert not client.servers.get(srv_id).is_installing


def test_wait_for_root_password_does_not_stop_before_the_install_flag_shows(client, monkeypatch):
    # The install flag may lag behind the reinstall call: a first record that is not
    # installing yet must not end the wait.
    records = iter(
        [
            {**INSTALLING, "srv_status_install": "0", "install_details": None},
            {**INSTALLING, "install_details": None},
            INSTALLING,
        ]
    )
    monkeypatch.setattr(client.servers, "get", lambda srv_id: Server.from_api(next(records)))
    password = client.servers.wait_for_root_password(3523, sleep=lambda seconds: None)
    assert password == "Hand-Written-Pw-1"


def test_install_details_stay_out_of_error_bodies_and_logs(record_mode_client, caplog):
    caplog.set_level(logging.DEBUG, logger="terrahost_client")
    app, client = record_mode_client
    srv_id = client.servers.list()[0].id
    start_reinstall(client, srv_id)
    client.servers.get(srv_id)
    assert app.state.servers[srv_id].install_details["root_password"] not in caplog.text
    body = json.dumps({"meta": {"status": 500}, "data": [INSTALLING]}).encode()
    with pytest.raises(ServerError) as raised:
        _parse(Answer(500, body))
    assert "Hand-Written-Pw-1" not in repr(raised.value.body) + str(raised.value)
