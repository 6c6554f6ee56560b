"""Retries are decided per endpoint: reads retry, writes that may have landed never do."""

import logging

import pytest
import requests

from terrahost_client import Client
from terrahost_client.errors import RateLimited, ServerError, Timeout, TransportError
from terrahost_client.sandbox import mount

from .conftest import BASE, calls


class FakeTime:
    """Stands in for the client's `time` module: pauses are recorded and pass instantly."""

    def __init__(self):
        self.now = 1000.0
        self.pauses = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.pauses.append(seconds)
        self.now += seconds


@pytest.fixture
def pauses(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr("terrahost_client.client.time", fake)
    return fake.pauses


def test_a_reboot_is_sent_exactly_once_when_the_connection_drops(client, sandbox, pauses):
    srv_id = client.servers.list()[0].id
    sandbox.set_faults({"disconnect_rate": 1.0, "routes": ["GET /servers/{id}/reboot"]})
    with pytest.raises(TransportError):
        client.servers.reboot(srv_id)
    assert calls(sandbox, "GET /servers/{id}/reboot") == 1
    assert pauses == []


@pytest.mark.parametrize(
    ("route", "call"),
    [
        ("GET /servers/{id}/power/off", lambda c, i: c.servers.power_off(i)),
        ("POST /servers/{id}/snapshot", lambda c, i: c.snapshots.create(i, "x")),
        ("POST /servers/{id}/ipv4", lambda c, i: c.ips.order_ipv4(i)),
    ],
)
def test_writes_are_never_retried_on_timeouts(client, sandbox, pauses, route, call):
    srv_id = client.servers.list()[0].id
    sandbox.set_faults({"timeout_rate": 1.0, "routes": [route]})
    with pytest.raises(TransportError):
        call(client, srv_id)
    assert calls(sandbox, route) == 1


def test_writes_are_never_retried_on_5xx(client, sandbox, pauses):
    srv_id = client.servers.list()[0].id
    sandbox.set_faults({"error_rate": 1.0, "routes": ["GET /servers/{id}/reboot"]})
    with pytest.raises(ServerError):
        client.servers.reboot(srv_id)
    assert calls(sandbox, "GET /servers/{id}/reboot") == 1


def test_reads_retry_on_5xx_and_stop_at_their_bound(make_client, sandbox, pauses):
    client = make_client(max_retries=3)
    client.authenticate()
    sandbox.set_faults({"error_rate": 1.0, "routes": ["GET /servers"]})
    with pytest.raises(ServerError):
        client.servers.list()
    assert calls(sandbox, "GET /servers") == 4
    assert len(pauses) == 3
    assert pauses == sorted(pauses)  # the backoff grows


def test_reads_stop_retrying_at_the_total_deadline(make_client, sandbox, pauses):
    client = make_client(max_retries=50, backoff=1.0, max_backoff=1.0, retry_deadline=3.5)
    client.authenticate()
    sandbox.set_faults({"error_rate": 1.0, "routes": ["GET /servers"]})
    with pytest.raises(ServerError):
        client.servers.list()
    assert 2.5 < sum(pauses) <= 3.5
    assert calls(sandbox, "GET /servers") == len(pauses) + 1


def test_reads_retry_timeouts_and_succeed_once_the_fault_clears(client, sandbox, pauses):
    client.authenticate()
    sandbox.set_faults({"timeout_rate": 1.0, "routes": ["GET /servers"]})
    with pytest.raises(Timeout):
        client.servers.list()
    sandbox.set_faults({})
    assert client.servers.list()


def test_reads_honour_retry_after_on_429(client, sandbox, pauses):
    client.authenticate()
    sandbox.set_faults({"rate_limit_rate": 1.0, "retry_after": 2, "routes": ["GET /my/account"]})
    with pytest.raises(RateLimited) as raised:
        client.account.get()
    assert raised.value.retry_after == 2
    assert pauses and all(pause >= 2 for pause in pauses)


def test_idempotent_puts_retry(client, sandbox, pauses):
    srv_id = client.servers.list()[0].id
    sandbox.set_faults({"error_rate": 1.0, "routes": ["PUT /servers/{id}/name"]})
    with pytest.raises(ServerError):
        client.servers.rename(srv_id, "again")
    assert calls(sandbox, "PUT /servers/{id}/name") == client.max_retries + 1


def test_a_gateway_html_page_becomes_a_server_error_with_the_status_text(client, sandbox, pauses):
    client.authenticate()
    sandbox.set_faults({"error_rate": 1.0})
    messages = set()
    for _ in range(10):
        with pytest.raises(ServerError) as raised:
            client.account.get()
        messages.add(raised.value.message)
    assert any("<" not in message for message in messages)
    assert all("<html" not in message.lower() for message in messages)


def test_debug_logs_show_calls_but_never_secrets(make_client, sandbox, caplog):
    caplog.set_level(logging.DEBUG, logger="terrahost_client")
    client = make_client(password="demo")
    srv_id = client.servers.list()[0].id
    distro = client.reinstall.distros()[0]
    system = client.reinstall.operating_systems(distro.id)[0]
    result = client.reinstall.start(srv_id, system.id, "logs.example.com")
    text = caplog.text
    assert "POST /authenticate" in text
    assert "GET /servers -> 200" in text
    assert '"password": "********"' in text
    assert client.token.token not in text
    assert result.root_password not in text
    assert "Bearer" not in text


def test_a_malformed_api_url_is_not_retried(pauses):
    client = Client("demo", "demo", base_url="htp://nowhere.example/api/v3")
    with pytest.raises(TransportError) as raised:
        client.servers.list()
    assert raised.value.retryable is False
    assert pauses == []


class TimeoutRecordingSession(requests.Session):
    def __init__(self):
        super().__init__()
        self.timeouts = []

    def request(self, method, url, **kwargs):
        self.timeouts.append(kwargs.get("timeout"))
        return super().request(method, url, **kwargs)


def test_the_deadline_cuts_the_first_attempt_read_timeout_too(sandbox, pauses):
    session = TimeoutRecordingSession()
    mount(session, sandbox, BASE)
    client = Client(
        "demo", "demo", base_url=BASE + "/api/v3", session=session, timeout=(5, 30),
        retry_deadline=8, backoff=1.0, max_backoff=1.0,
    )  # fmt: skip
    client.authenticate()
    sandbox.set_faults({"timeout_rate": 1.0, "routes": ["GET /servers"]})
    with pytest.raises(Timeout):
        client.servers.list()
    first, *retries = session.timeouts[1:]
    assert session.timeouts[0] == first == (5, 8)  # the login and the listing's first try
    assert retries and all(connect == 5 and 1 <= read < 8 for connect, read in retries)


def test_a_deadline_longer_than_the_read_timeout_leaves_it_alone(sandbox):
    session = TimeoutRecordingSession()
    mount(session, sandbox, BASE)
    client = Client("demo", "demo", base_url=BASE + "/api/v3", session=session, timeout=(5, 30))
    client.servers.list()
    assert set(session.timeouts) == {(5, 30)}
