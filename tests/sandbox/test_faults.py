"""Injected faults, stats, the clock and reset: the control plane, in process."""

import threading

import pytest
import requests

from terrahost_client.sandbox import SandboxApp
from terrahost_client.sandbox import faults as faults_module
from terrahost_client.sandbox.faults import Faults

from .conftest import Api, assert_error, find

REBOOT = "GET /servers/{id}/reboot"
RENAME = "PUT /servers/{id}/name"


def rename(api, srv_id, name, **kwargs):
    return api.put(f"/servers/{srv_id}/name", json={"name": name}, **kwargs)


def test_stats_count_calls_per_route_template_and_status(app, api):
    srv_id = find(app, kind="dedicated", colocation=False).srv_id
    api.get(f"/servers/{srv_id}/reboot")
    api.get("/servers/999999")
    api.get("/no/such/route")
    api.control("GET", "/stats")  # the control plane is not counted
    assert app.stats() == {
        "calls": {
            "POST /authenticate": {"200": 1},
            REBOOT: {"200": 1},
            "GET /servers/{id}": {"404": 1},
            "GET <unmatched>": {"404": 1},
        },
        "max_in_flight": {
            "POST /authenticate": 1,
            REBOOT: 1,
            "GET /servers/{id}": 1,
            "GET <unmatched>": 1,
        },
    }
    assert api.control("GET", "/stats").json() == app.stats()


def test_stats_show_how_many_calls_of_a_route_were_answered_at_once(app, api):
    # Latency keeps calls in flight; the barrier holds each one there until all three
    # are, so the count does not depend on timing.
    together = threading.Barrier(3)
    app.sleep = lambda seconds: together.wait(timeout=10)
    app.set_faults({"latency_ms": 1})
    threads = [threading.Thread(target=api.get, args=("/servers",)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert app.stats()["calls"]["GET /servers"] == {"200": 3}
    assert app.stats()["max_in_flight"]["GET /servers"] == 3
    app.sleep = lambda seconds: None
    api.get("/servers")  # alone: the most at once stays 3
    assert app.stats()["max_in_flight"]["GET /servers"] == 3


def test_rate_limited_calls_get_429_with_retry_after_and_change_nothing(app, api):
    srv_id = find(app, name="web-01").srv_id
    app.set_faults({"rate_limit_rate": 1.0, "retry_after": 7})
    response = rename(api, srv_id, "renamed")
    assert_error(response, 429)
    assert response.headers["Retry-After"] == "7"
    assert app.state.servers[srv_id].name == "web-01"
    assert app.stats()["calls"][RENAME] == {"429": 1}


def test_errors_are_503_envelopes_or_502_html_and_change_nothing(app, api):
    srv_id = find(app, name="web-01").srv_id
    app.set_faults({"error_rate": 1.0})
    statuses = set()
    for n in range(20):
        response = rename(api, srv_id, f"name-{n}")
        statuses.add(response.status_code)
        if response.status_code == 503:
            assert_error(response, 503)
        else:
            assert response.status_code == 502
            assert response.headers["Content-Type"].startswith("text/html")
            assert "502 Bad Gateway" in response.text
    assert statuses == {502, 503}
    assert app.state.servers[srv_id].name == "web-01"
    assert sum(app.stats()["calls"][RENAME].values()) == 20


def test_a_timeout_is_processed_then_never_answered(app, api):
    srv_id = find(app, name="web-01").srv_id
    app.set_faults({"timeout_rate": 1.0})
    with pytest.raises(requests.exceptions.ReadTimeout):
        rename(api, srv_id, "applied anyway")
    assert app.state.servers[srv_id].name == "applied anyway"
    assert app.stats()["calls"][RENAME] == {"timeout": 1}


def test_a_disconnect_is_processed_then_the_connection_closes(app, api):
    srv_id = find(app, kind="dedicated", colocation=False).srv_id
    app.set_faults({"disconnect_rate": 1.0})
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        api.get(f"/servers/{srv_id}/reboot")
    assert not isinstance(caught.value, requests.exceptions.Timeout)
    assert app.state.servers[srv_id].rebooting is True
    assert app.stats()["calls"][REBOOT] == {"disconnect": 1}


def test_latency_delays_each_call_and_can_time_it_out_after_processing(app, api, monkeypatch):
    srv_id = find(app, name="web-01").srv_id
    app.set_faults({"latency_ms": 60})
    with monkeypatch.context() as patch:
        slept = []
        patch.setattr(app, "sleep", slept.append)
        assert api.get("/servers").status_code == 200
        assert api.get(f"/servers/{srv_id}").status_code == 200
        assert slept == [0.06, 0.06]
        api.control("GET", "/stats")
        assert slept == [0.06, 0.06]  # not the control plane
    # A client that reads for less time than the latency gives up; the call is applied.
    with pytest.raises(requests.exceptions.ReadTimeout):
        rename(api, srv_id, "slow", timeout=(1, 0.01))
    assert app.state.servers[srv_id].name == "slow"


def test_routes_limit_the_rate_faults(app, api):
    srv_id = find(app, kind="dedicated", colocation=False).srv_id
    app.set_faults({"error_rate": 1.0, "routes": [REBOOT]})
    assert api.get(f"/servers/{srv_id}/reboot").status_code in (502, 503)
    assert api.get("/servers").status_code == 200
    assert api.get(f"/servers/{srv_id}").status_code == 200


def test_faults_merge_keys_absent_keep_their_value(app, api):
    srv_id = find(app, name="web-02").srv_id
    app.set_faults({"latency_ms": 5})
    merged = app.set_faults({"hide_server": {"srv_id": srv_id, "seconds": 40}})
    assert merged["latency_ms"] == 5
    assert merged["hide_server"] == [{"srv_id": srv_id, "seconds": 40}]
    assert api.control("GET", "/faults").json()["faults"] == merged
    assert_error(api.get(f"/servers/{srv_id}"), 404)
    # A later key changes that fault only; the hide timer keeps running.
    app.advance(30)
    merged = api.control("POST", "/faults", json={"latency_ms": 7}).json()["faults"]
    assert merged["latency_ms"] == 7 and merged["hide_server"]
    assert_error(api.get(f"/servers/{srv_id}"), 404)
    app.advance(10)
    assert api.get(f"/servers/{srv_id}").status_code == 200


def test_null_clears_one_fault_only(app, api):
    srv_id = find(app, name="web-02").srv_id
    app.set_faults({"latency_ms": 5, "hide_server": {"srv_id": srv_id, "seconds": 40}})
    app.set_faults({"error_rate": 0.5, "routes": [REBOOT], "retry_after": 9})
    faults = api.control("POST", "/faults", json={"latency_ms": None}).json()["faults"]
    assert faults["latency_ms"] == 0
    assert faults["hide_server"] == [{"srv_id": srv_id, "seconds": 40}]
    assert (faults["error_rate"], faults["routes"], faults["retry_after"]) == (0.5, [REBOOT], 9)
    assert_error(api.get(f"/servers/{srv_id}"), 404)
    faults = app.set_faults({"hide_server": None, "routes": None, "retry_after": None})
    assert faults["hide_server"] == [] and faults["routes"] is None
    assert faults["retry_after"] == 1 and faults["error_rate"] == 0.5
    assert api.get(f"/servers/{srv_id}").status_code == 200


def test_every_key_can_be_cleared_with_null(app):
    app.set_faults(
        {
            "latency_ms": 1,
            "error_rate": 0.1,
            "timeout_rate": 0.1,
            "disconnect_rate": 0.1,
            "rate_limit_rate": 0.1,
            "timeout_hold_seconds": 2,
            "retry_after": 3,
            "routes": [REBOOT],
            "single_session": True,
            "hide_server": {"srv_id": find(app, name="web-01").srv_id, "seconds": 5},
        }
    )
    cleared = app.set_faults(dict.fromkeys(faults_module.KEYS))
    assert cleared == Faults().as_dict()


def test_an_empty_object_clears_latency_and_hidden_servers_alike(app, api):
    srv_id = find(app, name="web-02").srv_id
    app.set_faults({"latency_ms": 5})
    app.set_faults({"hide_server": {"srv_id": srv_id, "seconds": 40}})
    assert api.control("POST", "/faults", json={}).json()["faults"] == Faults().as_dict()
    assert app.faults == Faults()
    assert api.get(f"/servers/{srv_id}").status_code == 200


def test_expire_tokens_is_an_event_not_a_stored_fault(app, api):
    srv_id = find(app, name="web-02").srv_id
    app.set_faults({"latency_ms": 5, "hide_server": {"srv_id": srv_id, "seconds": 40}})
    faults = app.set_faults({"expire_tokens": True})
    assert "expire_tokens" not in faults
    assert faults["latency_ms"] == 5 and faults["hide_server"]  # kept
    assert_error(api.get("/servers"), 401, "expired")
    api.login()
    app.set_faults({"latency_ms": 6})  # does not expire tokens again
    assert api.get("/servers").status_code == 200
    assert_error(api.get(f"/servers/{srv_id}"), 404)  # still hidden
    app.set_faults({"expire_tokens": False})
    app.set_faults({"expire_tokens": None})
    assert api.get("/servers").status_code == 200


def test_a_rejected_fault_request_changes_nothing(app, api):
    app.set_faults({"latency_ms": 5})
    before = app.faults.as_dict()
    response = api.control("POST", "/faults", json={"error_rate": 1.0, "latency_ms": -1})
    assert response.status_code == 400
    response = api.control("POST", "/faults", json={"expire_tokens": True, "retry_after": "x"})
    assert response.status_code == 400
    assert app.faults.as_dict() == before
    assert api.get("/servers").status_code == 200  # the token was not expired either


def test_an_empty_fault_set_clears_everything(app, api):
    app.set_faults({"error_rate": 1.0, "latency_ms": 1})
    assert api.get("/servers").status_code >= 500
    assert api.control("POST", "/faults", json={}).json()["faults"]["error_rate"] == 0
    assert api.get("/servers").status_code == 200


def test_expire_tokens_expires_every_token_issued_so_far(app, api):
    other = Api(app)
    other.login()
    app.set_faults({"expire_tokens": True})
    assert_error(api.get("/servers"), 401, "expired")
    assert_error(other.get("/servers"), 401, "expired")
    api.login()
    assert api.get("/servers").status_code == 200


def test_a_hidden_server_is_missing_and_404_for_a_while(app, api):
    srv_id = find(app, name="web-02").srv_id
    app.set_faults({"hide_server": {"srv_id": srv_id, "seconds": 40}})
    body = api.get("/servers").json()
    assert str(srv_id) not in [row["srv_id"] for row in body["data"]]
    assert body["meta"]["total"] == 7
    assert_error(api.get(f"/servers/{srv_id}"), 404)
    app.advance(39)
    assert_error(api.get(f"/servers/{srv_id}"), 404)
    app.advance(1)
    assert api.get(f"/servers/{srv_id}").status_code == 200
    assert len(api.servers()) == 8


def test_single_session_revokes_older_tokens_on_login(app, api):
    app.set_faults({"single_session": True})
    second = Api(app)
    second.login()
    assert_error(api.get("/servers"), 401)
    assert second.get("/servers").status_code == 200


def test_faults_are_deterministic_for_a_seed():
    def outcomes():
        api = Api(SandboxApp(seed=5))
        api.login()
        api.app.set_faults({"error_rate": 0.3, "rate_limit_rate": 0.2})
        return [api.get("/servers").status_code for _ in range(40)]

    first = outcomes()
    assert first == outcomes()
    assert len(set(first)) == 4  # 200, 429, 502, 503


@pytest.mark.parametrize(
    "body",
    [
        {"error_rate": 1.5},
        {"error_rate": -0.1},
        {"error_rate": "often"},
        {"timeout_rate": True},
        {"latency_ms": -5},
        {"surprise": 1},
        {"routes": ["GET /nope"]},
        {"routes": "GET /servers"},
        {"hide_server": {"srv_id": 1, "seconds": 5}},
        {"hide_server": {"srv_id": 3523}},
        {"expire_tokens": "yes"},
        [1, 2],
    ],
)
def test_bad_fault_input_answers_400(api, body):
    response = api.control("POST", "/faults", json=body)
    assert response.status_code == 400
    assert response.json()["error"]


def test_bad_control_input_answers_400_and_unknown_endpoints_404(api):
    assert api.control("POST", "/faults", data="{oops").status_code == 400
    assert api.control("POST", "/clock", json={"advance": -1}).status_code == 400
    assert api.control("POST", "/clock", json={"advance": "soon"}).status_code == 400
    assert api.control("POST", "/clock", json={}).status_code == 400
    assert api.control("POST", "/clock", data="NaN").status_code == 400
    assert api.control("GET", "/nothing").status_code == 404
    assert api.control("GET", "/reset").status_code == 405


def test_the_clock_endpoint_advances_simulated_time(app, api):
    before = app.now()
    response = api.control("POST", "/clock", json={"advance": 600})
    assert response.status_code == 200
    assert response.json()["offset"] == 600
    assert app.now() - before >= 600
    assert api.control("GET", "/clock").json()["now"] >= int(before) + 600


def test_reset_restores_the_seeded_state_and_clears_stats_faults_and_clock(app, api):
    srv_id = find(app, name="web-01").srv_id
    rename(api, srv_id, "changed")
    app.set_faults({"latency_ms": 5, "hide_server": {"srv_id": srv_id, "seconds": 99}})
    app.advance(100)
    assert api.control("POST", "/reset").json() == {"reset": True}
    assert app.stats() == {"calls": {}, "max_in_flight": {}}
    assert app.faults.as_dict()["latency_ms"] == 0
    assert app.state.clock.offset == 0
    assert_error(api.get("/servers"), 401)  # tokens are gone too
    api.login()
    assert api.server(srv_id)["srv_name"] == "web-01"


def test_expiring_tokens_does_not_replay_the_same_outcomes():
    """Each POST /_sandbox/faults with unchanged odds goes on with the sequence: a reseed
    there made a run that expired tokens every few seconds see the same few outcomes."""
    app = SandboxApp(seed=1)
    app.set_faults({"error_rate": 0.5})
    first = [app._fault_rng.random() for _ in range(5)]
    app.set_faults({"expire_tokens": True})
    assert [app._fault_rng.random() for _ in range(5)] != first
    app.set_faults({"error_rate": 0.5, "timeout_rate": 0.1})
    reseeded = [app._fault_rng.random() for _ in range(5)]
    app.set_faults({"timeout_rate": 0.1})  # the same odds again: the sequence goes on
    assert [app._fault_rng.random() for _ in range(5)] != reseeded


def test_a_server_is_suspended_unsuspended_and_cancelled_through_the_control_plane(api):
    from terrahost_client.models import Server

    api.login()
    srv_id = api.servers()[0]["srv_id"]
    answer = api.control("POST", f"/servers/{srv_id}", json={"suspended": True})
    assert answer.json() == {"id": int(srv_id), "suspended": True, "cancelled": False}
    assert api.server(srv_id)["srv_suspended"] is True
    assert api.get(f"/servers/{srv_id}/reboot").status_code == 403
    api.control("POST", f"/servers/{srv_id}", json={"suspended": False, "cancelled": True})
    server = Server.from_api(api.server(srv_id))
    assert server.status == "cancelled" and not server.is_suspended
    api.control("POST", f"/servers/{srv_id}", json={"cancelled": False})
    assert Server.from_api(api.server(srv_id)).status in ("running", "stopped")


@pytest.mark.parametrize(
    "path, body",
    [
        ("/servers/1", {"suspended": "yes"}),
        ("/servers/1", {"paused": True}),
        ("/servers/1", {}),
        ("/servers/999999", {"suspended": True}),
    ],
)
def test_the_server_control_refuses_what_it_cannot_do(api, path, body):
    assert api.control("POST", path, json=body).status_code == 400
