"""Per-token rate limits (PANEL_API_RATE, and PANEL_API_WRITE_RATE for changes): over the
limit, 429 with Retry-After, the seconds left in the minute; the clock is frozen."""

from __future__ import annotations

import time_machine

from ..conftest import calls
from .conftest import make_token

# 12:00:45: 15 seconds left in the minute.
NOON = 1_800_000_000 // 60 * 60 + 45


def test_reads_over_the_rate_get_429_with_retry_after(api, bob, settings):
    settings.PANEL_API_RATE = "3/min"
    bob_api = api(make_token(bob))
    with time_machine.travel(NOON, tick=False):
        for _ in range(3):
            assert bob_api.get("/api/v1/servers/").status_code == 200
        over = bob_api.get("/api/v1/servers/")
    assert over.status_code == 429 and over["Retry-After"] == "15"
    assert over["Content-Type"] == "application/problem+json"
    assert "15 seconds" in over.json()["detail"]
    with time_machine.travel(NOON + 15, tick=False):
        assert bob_api.get("/api/v1/servers/").status_code == 200


def test_each_token_has_its_own_count(api, bob, settings):
    settings.PANEL_API_RATE = "1/min"
    one, two = api(make_token(bob, name="one")), api(make_token(bob, name="two"))
    with time_machine.travel(NOON, tick=False):
        assert one.get("/api/v1/servers/").status_code == 200
        assert two.get("/api/v1/servers/").status_code == 200
        assert one.get("/api/v1/servers/").status_code == 429


def test_changes_have_a_lower_rate_of_their_own(api, bob, servers, sandbox, settings):
    settings.PANEL_API_WRITE_RATE = "1/min"
    settings.PANEL_POWER_COOLDOWN = 0
    bob_api = api(make_token(bob))
    url = f"/api/v1/servers/{servers[0].pk}/power/"
    with time_machine.travel(NOON, tick=False):
        assert bob_api.post(url, {"action": "reboot"}).status_code == 202
        over = bob_api.post(url, {"action": "reboot"})
        assert over.status_code == 429 and over["Retry-After"] == "15"
        assert bob_api.get("/api/v1/servers/").status_code == 200  # reads go on
    assert calls(sandbox, "GET /servers/{id}/reboot") == 1
