"""Each quirk of the API notes, through the client, on every server that shows it."""

import pytest
import requests

from terrahost_client.client import _parse
from terrahost_client.errors import BadRequest, NotSupported, ServerError

from .conftest import at_once, calls


def test_power_state_is_read_from_meta_or_from_the_top_level(client, sandbox):
    places = set()
    for server in client.servers.list():
        try:
            state = client.servers.power_state(server.id)
        except NotSupported:  # a colocation box has no power control
            continue
        body = client.request("GET", f"/servers/{server.id}/powerstate", retry=True)
        places.add("meta" if "powerstate" in body.get("meta", {}) else "top")
        assert state.is_on in (True, False)
    assert places == {"meta", "top"}


def test_graphs_decode_with_and_without_a_data_prefix(client):
    prefixes = set()
    for server in client.servers.list():
        graphs = client.graphs.bandwidth(server.id)
        assert graphs.day.startswith(b"\x89PNG")
        prefixes.add(graphs.raw["graph_day"].startswith("data:"))
    assert prefixes == {True, False}


def test_an_error_in_meta_error_reaches_the_caller(client):
    vps = next(s for s in client.servers.list() if s.type == "vps")
    with pytest.raises(BadRequest) as raised:
        client.ips.order_ipv4(vps.id, "l2")
    assert "L3" in raised.value.message


def test_a_hidden_server_is_missing_from_the_list_and_comes_back(client, sandbox):
    first = client.servers.list()[0]
    sandbox.set_faults({"hide_server": {"srv_id": first.id, "seconds": 30}})
    assert first.id not in {s.id for s in client.servers.list()}
    sandbox.advance(31)
    assert first.id in {s.id for s in client.servers.list()}


def test_latency_slows_calls_but_they_succeed(client, sandbox):
    sandbox.set_faults({"latency_ms": 20})
    assert client.account.get().id


def test_twenty_threads_hitting_an_expired_token_log_in_once_more(client, sandbox):
    client.account.get()
    sandbox.set_faults({"expire_tokens": True, "latency_ms": 20})
    assert at_once(client.account.get) == []
    assert calls(sandbox, "POST /authenticate") == 2


class Answer(requests.Response):
    def __init__(self, status, content=b"", headers=None):
        super().__init__()
        self.status_code = status
        self._content = content
        self.headers.update(headers or {})


def test_an_empty_success_body_is_an_empty_answer():
    assert _parse(Answer(200, b"")) == {}


def test_retry_after_is_read_on_503_too():
    with pytest.raises(ServerError) as raised:
        _parse(Answer(503, b"<html>busy</html>", {"Retry-After": "7"}))
    assert raised.value.retry_after == 7
    assert raised.value.message  # the status text, not the HTML


def test_the_one_element_detail_array_and_the_unwrapped_account_are_read(client):
    server = client.servers.list()[0]
    detail = client.servers.get(server.id)
    assert detail.id == server.id
    assert detail.disks
    account = client.account.get()
    assert "success" in account.raw and "meta" not in account.raw
