import pytest

from terrahost_client.sandbox import POWER_DELAY, REBOOT_DELAY, REBOOT_DOWN_DELAY

from .conftest import assert_error, find


def power(api, srv_id):
    """The power state wherever this server puts it (meta or top level)."""
    body = api.get(f"/servers/{srv_id}/powerstate").json()
    source = body if "powerstate" in body else body["meta"]
    assert isinstance(source["timestamp"], int)
    return source["powerstate"]


def test_power_off_then_on_take_effect_after_the_delay(app, api):
    server = find(app, kind="vps", power_toggle_405=False, mgmt=True)
    srv_id = server.srv_id
    response = api.get(f"/servers/{srv_id}/power/off")
    assert response.status_code == 200
    assert response.json()["meta"]["message"] == "Server is powering off."
    assert power(api, srv_id) is True
    app.advance(POWER_DELAY)
    assert power(api, srv_id) is False
    assert api.server(srv_id)["srv_status"] is False
    assert (
        api.get(f"/servers/{srv_id}/power/off")
        .json()["meta"]["message"]
        .startswith("Server is already")
    )
    api.get(f"/servers/{srv_id}/power/on")
    app.advance(POWER_DELAY - 1)
    assert power(api, srv_id) is False
    app.advance(1)
    assert power(api, srv_id) is True


def test_reboot_goes_off_briefly_then_on(app, api):
    srv_id = find(app, kind="dedicated", colocation=False).srv_id
    assert api.get(f"/servers/{srv_id}/reboot").json()["meta"]["message"] == "Server is rebooting."
    assert api.server(srv_id)["srv_status_reboot"] == "1"
    app.advance(REBOOT_DOWN_DELAY)
    assert power(api, srv_id) is False
    app.advance(REBOOT_DELAY - REBOOT_DOWN_DELAY)
    assert power(api, srv_id) is True
    assert api.server(srv_id)["srv_status_reboot"] == "0"


def test_every_third_vps_refuses_power_on_off_but_reboots(app, api):
    vpses = [app.state.servers[i] for i in app.state.accounts["demo"].server_ids]
    vpses = [s for s in vpses if s.is_vps]
    refusing = [s for s in vpses if s.power_toggle_405]
    assert refusing == vpses[2::3] and refusing
    srv_id = refusing[0].srv_id
    for action in ("power/on", "power/off"):
        response = api.get(f"/servers/{srv_id}/{action}")
        assert response.json() == {
            "meta": {
                "status": 405,
                "status_message": "405 Method Not Allowed",
                "maintenance": False,
                "time": response.json()["meta"]["time"],
                "message": "This operation is not supported for this server.",
            },
            "data": [],
        }
        assert response.status_code == 405
    assert api.get(f"/servers/{srv_id}/reboot").status_code == 200


def test_a_colocation_box_has_no_power_control(app, api):
    srv_id = find(app, colocation=True).srv_id
    for path in ("powerstate", "reboot", "power/on", "power/off"):
        assert_error(api.get(f"/servers/{srv_id}/{path}"), 405, "not supported")


def test_powerstate_sits_in_meta_for_some_servers_and_at_the_top_for_others(app, api):
    shapes = {}
    for srv_id in app.state.accounts["demo"].server_ids:
        server = app.state.servers[srv_id]
        if server.colocation:
            continue
        body = api.get(f"/servers/{srv_id}/powerstate").json()
        top = "powerstate" in body
        assert top == server.powerstate_top_level
        assert ("powerstate" in body["meta"]) is not top
        assert "data" not in body
        shapes[top] = True
    assert shapes == {True: True, False: True}


@pytest.mark.parametrize("path", ["reboot", "power/on", "power/off"])
def test_power_actions_are_get_only(app, api, path):
    srv_id = find(app, kind="dedicated", colocation=False).srv_id
    assert_error(api.post(f"/servers/{srv_id}/{path}"), 405)


# --- a later power action supersedes the pending events of earlier ones --------


def act(api, srv_id, action):
    response = api.get(f"/servers/{srv_id}/{action}")
    assert response.status_code == 200, response.text
    return response.json()["meta"]["message"]


def switchable(app):
    return find(app, kind="vps", power_toggle_405=False, mgmt=True).srv_id


def settle(app):
    app.advance(10 * REBOOT_DELAY)  # every pending power event is long due


def test_off_then_on_within_the_delay_ends_on(app, api):
    srv_id = switchable(app)
    assert act(api, srv_id, "power/off") == "Server is powering off."
    app.advance(POWER_DELAY - 1)
    # The latest action counts: the server is heading off, so "on" is no no-op.
    assert act(api, srv_id, "power/on") == "Server is powering on."
    app.advance(1)  # the cancelled "off" was due here
    assert power(api, srv_id) is True
    settle(app)
    assert power(api, srv_id) is True
    assert act(api, srv_id, "power/on") == "Server is already powered on."


def test_on_then_off_within_the_delay_ends_off(app, api):
    srv_id = switchable(app)
    act(api, srv_id, "power/off")
    settle(app)
    assert power(api, srv_id) is False
    assert act(api, srv_id, "power/on") == "Server is powering on."
    app.advance(POWER_DELAY - 1)
    assert act(api, srv_id, "power/off") == "Server is powering off."
    app.advance(1)  # the cancelled "on" was due here
    assert power(api, srv_id) is False
    settle(app)
    assert power(api, srv_id) is False
    assert act(api, srv_id, "power/off") == "Server is already powered off."


@pytest.mark.parametrize("gap", [0, REBOOT_DOWN_DELAY, REBOOT_DELAY - 1])
def test_reboot_then_off_ends_off(app, api, gap):
    srv_id = switchable(app)
    assert act(api, srv_id, "reboot") == "Server is rebooting."
    app.advance(gap)
    # A reboot ends ON, so "off" during one is a real change, and ends the reboot.
    assert act(api, srv_id, "power/off") == "Server is powering off."
    assert api.server(srv_id)["srv_status_reboot"] == "0"
    settle(app)
    assert power(api, srv_id) is False
    assert api.server(srv_id)["srv_status_reboot"] == "0"


def test_off_then_reboot_ends_on(app, api):
    srv_id = switchable(app)
    act(api, srv_id, "power/off")
    app.advance(POWER_DELAY - 1)
    assert act(api, srv_id, "reboot") == "Server is rebooting."
    # The reboot's target (on) now counts, and its own schedule applies.
    assert act(api, srv_id, "power/on") == "Server is already powering on."
    app.advance(REBOOT_DOWN_DELAY)
    assert power(api, srv_id) is False
    app.advance(REBOOT_DELAY - REBOOT_DOWN_DELAY)
    assert power(api, srv_id) is True
    assert api.server(srv_id)["srv_status_reboot"] == "0"
    settle(app)
    assert power(api, srv_id) is True


def test_a_repeated_action_while_pending_neither_restarts_nor_cancels_it(app, api):
    srv_id = switchable(app)
    act(api, srv_id, "power/off")
    app.advance(POWER_DELAY - 1)
    assert act(api, srv_id, "power/off") == "Server is already powering off."
    app.advance(1)  # due as first scheduled, not POWER_DELAY after the repeat
    assert power(api, srv_id) is False
    assert act(api, srv_id, "power/off") == "Server is already powered off."


def test_a_second_reboot_restarts_the_reboot(app, api):
    srv_id = switchable(app)
    act(api, srv_id, "reboot")
    app.advance(REBOOT_DELAY - 1)
    assert act(api, srv_id, "reboot") == "Server is rebooting."
    app.advance(1)  # the first reboot's "on" was due here: it no longer applies
    assert power(api, srv_id) is False
    assert api.server(srv_id)["srv_status_reboot"] == "1"
    app.advance(REBOOT_DELAY - 2)
    assert power(api, srv_id) is False
    app.advance(1)  # REBOOT_DELAY after the second reboot
    assert power(api, srv_id) is True
    assert api.server(srv_id)["srv_status_reboot"] == "0"
