"""The CLI over a real socket: startup line, a few calls, dropped calls, shutdown."""

import signal
import threading
import time
from pathlib import Path

import pytest
import requests

from terrahost_client.sandbox import process as sandbox_process

ROOT = Path(__file__).resolve().parents[2]


def start(*args):
    try:
        return sandbox_process.start(*args)
    except sandbox_process.SandboxDidNotStart as error:
        pytest.fail(f"the sandbox did not start: {error}")


def stop(process, sig=signal.SIGTERM):
    process.send_signal(sig)
    try:
        return process.wait(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.fixture(scope="module")
def served():
    process, url = start("--servers", "12", "--seed", "3", "--token-lifetime", "120")
    yield url
    stop(process)


@pytest.fixture
def session(served):
    session = requests.Session()
    base = served.removesuffix("/api/v3")
    session.post(f"{base}/_sandbox/reset", timeout=5)
    response = session.post(f"{served}/authenticate", json={"username": "demo", "password": "demo"})
    session.headers["Authorization"] = f"Bearer {response.json()['data']['token']}"
    yield session
    requests.post(f"{base}/_sandbox/reset", timeout=5)


def test_it_prints_the_real_port_and_serves_the_api(served, session):
    assert int(served.rsplit(":", 1)[1].split("/")[0]) > 0
    body = session.get(f"{served}/servers", timeout=5).json()
    assert body["meta"]["total"] == 12 and len(body["data"]) == 12
    assert session.get(f"{served}/servers/1", timeout=5).status_code == 404


def test_a_timeout_is_held_then_closed_and_the_write_is_applied(served, session):
    base = served.removesuffix("/api/v3")
    srv_id = session.get(f"{served}/servers", timeout=5).json()["data"][0]["srv_id"]
    faults = {
        "timeout_rate": 1.0,
        "timeout_hold_seconds": 0.6,
        "routes": ["PUT /servers/{id}/name"],
    }
    assert session.post(f"{base}/_sandbox/faults", json=faults, timeout=5).status_code == 200
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.put(f"{served}/servers/{srv_id}/name", json={"name": "held"}, timeout=(5, 0.2))
    assert time.monotonic() - started < 0.5
    # A patient client sees the connection close after the hold, with no response.
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ConnectionError):
        session.put(f"{served}/servers/{srv_id}/name", json={"name": "held"}, timeout=5)
    assert time.monotonic() - started >= 0.55
    detail = session.get(f"{served}/servers/{srv_id}", timeout=5).json()["data"][0]
    assert detail["srv_name"] == "held"
    stats = session.get(f"{base}/_sandbox/stats", timeout=5).json()
    assert stats["calls"]["PUT /servers/{id}/name"] == {"timeout": 2}


def held_call(url, headers, outcome):
    """A call in a thread; records the exception class (None if it answered)."""

    def run():
        try:
            requests.get(url, headers=headers, timeout=10)
            outcome.append(None)
        except requests.exceptions.RequestException as exc:
            outcome.append(type(exc))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_held_call_does_not_block_others(served, session):
    base = served.removesuffix("/api/v3")
    faults = {"timeout_rate": 1.0, "timeout_hold_seconds": 1, "routes": ["GET /my/account"]}
    session.post(f"{base}/_sandbox/faults", json=faults, timeout=5)
    outcome = []
    thread = held_call(f"{served}/my/account", session.headers, outcome)
    time.sleep(0.1)
    started = time.monotonic()
    assert session.get(f"{served}/servers", timeout=5).status_code == 200
    assert time.monotonic() - started < 0.5
    thread.join()
    assert outcome == [requests.exceptions.ConnectionError]


def test_a_disconnect_closes_at_once(served, session):
    base = served.removesuffix("/api/v3")
    session.post(f"{base}/_sandbox/faults", json={"disconnect_rate": 1.0}, timeout=5)
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(f"{served}/servers", timeout=5)
    assert time.monotonic() - started < 1
    session.post(f"{base}/_sandbox/faults", json={}, timeout=5)
    stats = session.get(f"{base}/_sandbox/stats", timeout=5).json()
    assert stats["calls"]["GET /servers"] == {"disconnect": 1}


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_it_cleanly_even_while_a_call_is_held(sig):
    process, url = start()
    base = url.removesuffix("/api/v3")
    token = requests.post(
        f"{url}/authenticate", json={"username": "demo", "password": "demo"}, timeout=5
    ).json()["data"]["token"]
    requests.post(f"{base}/_sandbox/faults", json={"timeout_rate": 1.0}, timeout=5)  # 30 s hold
    outcome = []
    thread = held_call(f"{url}/servers", {"Authorization": f"Bearer {token}"}, outcome)
    time.sleep(0.2)
    started = time.monotonic()
    assert stop(process, sig) == 0
    assert time.monotonic() - started < 3
    thread.join()
    assert outcome == [requests.exceptions.ConnectionError]
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/servers", timeout=1)
