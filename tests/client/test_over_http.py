"""The client against the sandbox CLI over a real socket: dropped and held calls."""

import pytest
import requests

from terrahost_client import Client
from terrahost_client.errors import Timeout, TransportError
from terrahost_client.sandbox import process as sandbox_process


@pytest.fixture(scope="module")
def api_url():
    with sandbox_process.running("--servers", "10") as url:
        yield url


@pytest.fixture
def control(api_url):
    base = api_url.removesuffix("/api/v3") + "/_sandbox"
    requests.post(base + "/reset", timeout=5)
    yield lambda path, body=None: requests.post(base + path, json=body or {}, timeout=5).json()
    requests.post(base + "/reset", timeout=5)


def stats(api_url, route):
    base = api_url.removesuffix("/api/v3")
    return requests.get(base + "/_sandbox/stats", timeout=5).json()["calls"].get(route, {})


def test_it_lists_servers_over_http(api_url, control):
    servers = Client("demo", "demo", base_url=api_url).servers.list()
    assert len(servers) >= 10


def test_a_dropped_reboot_is_sent_once_and_reported(api_url, control):
    client = Client("demo", "demo", base_url=api_url)
    srv_id = client.servers.list()[0].id
    control("/faults", {"disconnect_rate": 1.0, "routes": ["GET /servers/{id}/reboot"]})
    with pytest.raises(TransportError):
        client.servers.reboot(srv_id)
    assert stats(api_url, "GET /servers/{id}/reboot") == {"disconnect": 1}


def test_a_held_read_times_out_and_is_retried_within_bounds(api_url, control):
    client = Client("demo", "demo", base_url=api_url, timeout=(2, 0.3), max_retries=2, backoff=0.01)
    client.authenticate()
    control("/faults", {"timeout_rate": 1.0, "timeout_hold_seconds": 1, "routes": ["GET /servers"]})
    with pytest.raises(Timeout):
        client.servers.list()
    assert stats(api_url, "GET /servers") == {"timeout": 3}


def test_the_deadline_bounds_a_held_first_attempt(api_url, control):
    # Held 5 s and then closed: with the 30 s read timeout the client would see the close
    # (a TransportError); cut to the 1 s deadline, it gives up first with a Timeout.
    client = Client("demo", "demo", base_url=api_url, timeout=(2, 30), retry_deadline=1)
    client.authenticate()
    control("/faults", {"timeout_rate": 1.0, "timeout_hold_seconds": 5, "routes": ["GET /servers"]})
    with pytest.raises(Timeout):
        client.servers.list()
    assert stats(api_url, "GET /servers") == {"timeout": 1}
