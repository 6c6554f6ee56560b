"""The CLI over a real socket: startup line, a few calls, dropped calls, shutdown."""

import signal
import threading
from pathlib import Path

import pytest
import requests

from terrahost_client.sandbox import process as sandbox_process
from terrahost_client.sandbox.__main__ import parse_args

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
    # The connection is held open without an answer: a client reading for less
    # than the hold gives up with a read timeout ...
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.put(f"{served}/servers/{srv_id}/name", json={"name": "held"}, timeout=(5, 0.2))
    # ... and a patient one sees it closed after the hold, with no response
    # (a ConnectionError, not a ReadTimeout: it closed before 5 s).
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        session.put(f"{served}/servers/{srv_id}/name", json={"name": "held"}, timeout=5)
    assert not isinstance(caught.value, requests.exceptions.Timeout)
    detail = session.get(f"{served}/servers/{srv_id}", timeout=5).json()["data"][0]
    assert detail["srv_name"] == "held"
    stats = session.get(f"{base}/_sandbox/stats", timeout=5).json()
    assert stats["calls"]["PUT /servers/{id}/name"] == {"timeout": 2}


def wait_until_counted(base, route_key):
    """Poll the stats until `route_key` was counted: the call was processed (and is held)."""
    for _ in range(1000):
        if route_key in requests.get(f"{base}/_sandbox/stats", timeout=5).json()["calls"]:
            return
        threading.Event().wait(0.01)
    pytest.fail(f"{route_key} was never counted")


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
    faults = {"timeout_rate": 1.0, "timeout_hold_seconds": 2, "routes": ["GET /my/account"]}
    session.post(f"{base}/_sandbox/faults", json=faults, timeout=5)
    outcome = []
    thread = held_call(f"{served}/my/account", session.headers, outcome)
    wait_until_counted(base, "GET /my/account")
    assert session.get(f"{served}/servers", timeout=5).status_code == 200
    assert outcome == []  # answered while the other call was still held
    thread.join()
    assert outcome == [requests.exceptions.ConnectionError]


def test_a_disconnect_closes_at_once(served, session):
    base = served.removesuffix("/api/v3")
    session.post(f"{base}/_sandbox/faults", json={"disconnect_rate": 1.0}, timeout=5)
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        session.get(f"{served}/servers", timeout=5)
    assert not isinstance(caught.value, requests.exceptions.Timeout)
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
    wait_until_counted(base, "GET /servers")
    # It stops (stop() waits for the exit) without waiting out the 30 s hold.
    assert stop(process, sig) == 0
    thread.join()
    assert outcome == [requests.exceptions.ConnectionError]
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url + "/servers", timeout=1)


@pytest.mark.parametrize(
    "args",
    [
        ["--servers", "\u0661\u0662"],
        ["--servers", "\uff11\uff12"],
        ["--port", "²"],
        ["--seed", "\u0663"],
        ["--servers", "-1"],
        ["--token-lifetime", "nan"],
        ["--token-lifetime", "inf"],
        ["--token-lifetime", "1e309"],
        ["--token-lifetime", "\u0661\u0662"],
        ["--token-lifetime", "0"],
        ["--token-lifetime", "9" * 400],
        ["--max-per-page", "0"],
        ["--max-per-page", "\u0661"],
    ],
)
def test_odd_numbers_on_the_command_line_are_usage_errors(args, capsys):
    with pytest.raises(SystemExit) as caught:
        parse_args(args)
    assert caught.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_plain_numbers_on_the_command_line_are_accepted():
    args = parse_args(["--port", "0", "--servers", "12", "--seed", "7", "--token-lifetime", "90.5"])
    assert (args.port, args.servers, args.seed, args.token_lifetime) == (0, 12, 7, 90.5)


def test_the_switches_are_off_by_default_and_set_by_their_flags():
    defaults = parse_args([])
    assert (defaults.ignore_page, defaults.root_password_in_server_record) == (False, False)
    assert defaults.max_per_page == 100
    args = parse_args(["--ignore-page", "--root-password-in-server-record", "--max-per-page", "7"])
    assert (args.ignore_page, args.root_password_in_server_record) == (True, True)
    assert args.max_per_page == 7


def test_the_switches_over_a_real_socket():
    process, url = start(
        "--servers",
        "150",
        "--ignore-page",
        "--root-password-in-server-record",
        "--max-per-page",
        "120",
    )
    try:
        session = requests.Session()
        login = {"username": "demo", "password": "demo"}
        token = session.post(f"{url}/authenticate", json=login, timeout=5).json()["data"]["token"]
        session.headers["Authorization"] = f"Bearer {token}"
        first = session.get(f"{url}/servers", timeout=5).json()
        second = session.get(f"{url}/servers", params={"page": 2}, timeout=5).json()
        assert second["data"] == first["data"]
        assert second["meta"]["total_pages"] == 2
        larger = session.get(f"{url}/servers", params={"per_page": 1000}, timeout=5).json()
        assert (len(larger["data"]), larger["meta"]["total_pages"]) == (120, 2)
        srv_id = first["data"][0]["srv_id"]
        body = {"os_id": 101, "hostname": "cli.example.com"}
        answer = session.post(f"{url}/servers/{srv_id}/reinstall", json=body, timeout=5).json()
        assert answer["root_passwd"] == ""
        record = session.get(f"{url}/servers/{srv_id}", timeout=5).json()["data"][0]
        assert record["install_details"]["root_password"]
    finally:
        assert stop(process) == 0
