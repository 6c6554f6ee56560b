import os
import threading

import pytest
import requests

from terrahost_client import Client
from terrahost_client.sandbox import SandboxApp, mount

BASE = "http://sandbox.test"
LIVE = bool(os.environ.get("TERRAHOST_USERNAME") and os.environ.get("TERRAHOST_PASSWORD"))


@pytest.fixture
def sandbox():
    return SandboxApp(seed=1)


@pytest.fixture
def make_client(sandbox):
    """Clients on the in-process sandbox, with short backoffs so retry tests stay quick."""

    def make(username="demo", password="demo", app=None, **options):
        session = requests.Session()
        mount(session, app or sandbox, BASE)
        options.setdefault("backoff", 0.001)
        options.setdefault("max_backoff", 0.005)
        return Client(username, password, base_url=BASE + "/api/v3", session=session, **options)

    return make


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture(scope="session")
def live_client():
    """One client for the whole run: a 2FA code is good for one login, and Terrahost may keep
    one session per user."""
    if not LIVE:
        pytest.skip("live API: set TERRAHOST_USERNAME and TERRAHOST_PASSWORD to run")
    return Client(
        os.environ["TERRAHOST_USERNAME"],
        os.environ["TERRAHOST_PASSWORD"],
        code=os.environ.get("TERRAHOST_CODE"),
        base_url=os.environ.get("TERRAHOST_API_URL", "https://api.terrahost.no/api/v3"),
    )


@pytest.fixture(params=["sandbox", "live"])
def api(request, make_client):
    """The contract suite's target: the sandbox always, the real API when credentials are set."""
    if request.param == "sandbox":
        return make_client()
    return request.getfixturevalue("live_client")


def calls(sandbox, route, status=None):
    """How many calls the sandbox saw on `route` (e.g. 'GET /servers'), for one status or all."""
    counts = sandbox.stats()["calls"].get(route, {})
    return counts.get(str(status), 0) if status else sum(counts.values())


def at_once(call, threads=20) -> list[Exception]:
    """Run `call` in `threads` threads released together; returns the errors they raised."""
    start = threading.Barrier(threads)
    errors = []

    def work():
        start.wait()
        try:
            call()
        except Exception as error:
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors
