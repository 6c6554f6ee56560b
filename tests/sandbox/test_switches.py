"""The switches for what other clients report of live accounts (default: the docs), and
the largest page GET /servers answers (unknown live)."""

import pytest

from terrahost_client.sandbox import REINSTALL_DELAY, SandboxApp

from .conftest import Api, assert_error

REINSTALL = {
    "os_id": 101,
    "hostname": "fresh.example.com",
    "language": "en_US",
    "keyboard": "us",
    "timezone": "Europe/Oslo",
}


def logged_in(app):
    api = Api(app)
    api.login()
    return api


def ids(rows):
    return [row["srv_id"] for row in rows]


def test_by_default_page_is_honoured():
    api = logged_in(SandboxApp(seed=1, servers=250))
    body = api.get("/servers", params={"page": 2}).json()
    assert (body["meta"]["page"], body["meta"]["total_pages"]) == (2, 3)
    assert not set(ids(body["data"])) & set(ids(api.servers(page=1)))


def test_ignore_page_answers_page_one_with_the_same_total_pages():
    app = SandboxApp(seed=1, servers=250, ignore_page=True)
    api = logged_in(app)
    first = api.get("/servers", params={"page": 1}).json()
    second = api.get("/servers", params={"page": 2, "per_page": 100}).json()
    assert ids(second["data"]) == ids(first["data"]) and len(first["data"]) == 100
    assert second["meta"]["page"] == 1
    assert second["meta"]["total_pages"] == first["meta"]["total_pages"] == 3
    assert_error(api.get("/servers", params={"page": "x"}), 400)  # still validated
    app.reset()
    assert ids(logged_in(app).servers(page=2)) == ids(first["data"])  # kept across a reset


def test_per_page_is_honoured_up_to_100_by_default():
    api = logged_in(SandboxApp(seed=1, servers=250))
    assert len(api.servers(per_page=30)) == 30
    body = api.get("/servers", params={"per_page": 1000}).json()
    assert len(body["data"]) == 100
    assert (body["meta"]["per_page"], body["meta"]["total_pages"]) == (100, 3)


def test_max_per_page_plays_an_api_that_answers_larger_pages():
    api = logged_in(SandboxApp(seed=1, servers=250, max_per_page=200))
    body = api.get("/servers", params={"per_page": 1000}).json()
    assert len(body["data"]) == 200
    assert (body["meta"]["per_page"], body["meta"]["total_pages"]) == (200, 2)
    assert len(api.servers(page=2, per_page=200)) == 50
    assert len(api.servers()) == 100  # not asked: the usual 100


@pytest.mark.parametrize("value", [0, -1, True, 1.5, "100", None])
def test_max_per_page_is_a_whole_number_of_at_least_one(value):
    with pytest.raises(ValueError, match="max_per_page"):
        SandboxApp(seed=1, servers=1, max_per_page=value)


def test_by_default_the_root_password_is_in_the_reinstall_answer(app, api):
    srv_id = app.state.accounts["demo"].server_ids[0]
    answer = api.post(f"/servers/{srv_id}/reinstall", json=REINSTALL).json()
    assert len(answer["root_passwd"]) == 16
    assert "install_details" not in api.server(srv_id)
    assert all("install_details" not in row for row in api.servers())


@pytest.fixture
def record_mode():
    app = SandboxApp(seed=1, servers=8, root_password_in_server_record=True)
    return app, logged_in(app)


def test_in_record_mode_the_password_is_in_the_server_record_during_the_install(record_mode):
    app, api = record_mode
    srv_id = app.state.accounts["demo"].server_ids[0]
    answer = api.post(f"/servers/{srv_id}/reinstall", json=REINSTALL).json()
    assert answer["root_passwd"] == ""
    details = api.server(srv_id)["install_details"]
    assert len(details["root_password"]) == 16
    assert details["hostname"] == "fresh.example.com"
    row = next(row for row in api.servers() if row["srv_id"] == str(srv_id))
    assert row["install_details"] == details
    app.advance(REINSTALL_DELAY)
    api.login()
    assert "install_details" not in api.server(srv_id)
    assert "install_details" not in next(r for r in api.servers() if r["srv_id"] == str(srv_id))


def test_in_record_mode_a_new_install_shows_a_new_password(record_mode):
    app, api = record_mode
    srv_id = app.state.accounts["demo"].server_ids[0]
    api.post(f"/servers/{srv_id}/reinstall", json=REINSTALL)
    first = api.server(srv_id)["install_details"]["root_password"]
    app.advance(REINSTALL_DELAY)
    api.login()
    api.post(f"/servers/{srv_id}/reinstall", json=REINSTALL)
    assert api.server(srv_id)["install_details"]["root_password"] not in ("", first)
