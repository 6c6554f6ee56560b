"""Fixtures for the sandbox tests: an in-process app and a small HTTP helper.

These tests use `requests` directly (not terrahost_client.Client), so they
check the wire format the client has to cope with.
"""

import pytest
import requests

from terrahost_client.sandbox import SandboxApp, mount

BASE = "http://sandbox.test"
API = BASE + "/api/v3"


class Api:
    """requests on the in-process sandbox, with paths relative to /api/v3."""

    def __init__(self, app):
        self.app = app
        self.session = requests.Session()
        mount(self.session, app, BASE)

    def login(self, username="demo", password="demo", **extra):
        response = self.post(
            "/authenticate", json={"username": username, "password": password, **extra}
        )
        assert response.status_code == 200, response.text
        token = response.json()["data"]["token"]
        self.session.headers["Authorization"] = f"Bearer {token}"
        return token

    def request(self, method, path, **kwargs):
        return self.session.request(method, API + path, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def control(self, method, path, **kwargs):
        return self.session.request(method, BASE + "/_sandbox" + path, **kwargs)

    def server(self, srv_id):
        response = self.get(f"/servers/{srv_id}")
        assert response.status_code == 200, response.text
        data = response.json()["data"]
        assert isinstance(data, list) and len(data) == 1
        return data[0]

    def servers(self, **params):
        response = self.get("/servers", params=params)
        assert response.status_code == 200, response.text
        return response.json()["data"]


def find(app, account="demo", **wanted):
    """The first server of `account` whose attributes match, e.g. find(app, kind="vps")."""
    state = app.state
    for srv_id in state.accounts[account].server_ids:
        server = state.servers[srv_id]
        if all(getattr(server, name) == value for name, value in wanted.items()):
            return server
    raise LookupError(f"no server with {wanted}")


def assert_error(response, status, message=None, key="message"):
    """The meta envelope of an error, as the API shapes it."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["data"] == []
    assert body["meta"]["status"] == status
    assert body["meta"]["status_message"].startswith(str(status))
    if message is not None:
        assert message in body["meta"][key]
    return body["meta"]


@pytest.fixture
def app():
    return SandboxApp(seed=1, servers=8, token_lifetime=3600)


@pytest.fixture
def anon(app):
    return Api(app)


@pytest.fixture
def api(app):
    client = Api(app)
    client.login()
    return client
