"""Reboot, power off, power on: one upstream call per press, audited, plain words."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from panel.audit.models import AuditEntry
from panel.grants import services as grant_services
from panel.grants.permissions import PRESETS
from panel.servers.models import MirroredServer

from ..conftest import calls
from .conftest import open_server_page

HTMX = {"HTTP_HX_REQUEST": "true"}


def key() -> str:
    return uuid.uuid4().hex


def reboot(client, row, k=None, **extra):
    url = reverse("servers:reboot", args=[row.pk])
    return client.post(url, {"idempotency_key": k or key()}, **HTMX, **extra)


def test_the_page_offers_reboot_and_power_off_with_a_confirmation(bob_client, servers):
    html = bob_client.get(reverse("servers:detail", args=[servers[0].pk])).text
    assert ">Reboot</button>" in html
    assert ">Power off</button>" in html
    assert ">Reboot now</button>" in html  # in the <dialog>
    assert ">Power off now</button>" in html
    assert "<dialog" in html


def test_without_javascript_reboot_leads_to_a_confirmation_page(bob_client, servers, sandbox):
    response = bob_client.get(reverse("servers:reboot", args=[servers[0].pk]))
    assert response.status_code == 200
    assert "Reboot now" in response.text
    assert calls(sandbox, "GET /servers/{id}/reboot") == 0


def test_reboot_makes_one_call_audits_it_and_polls(bob_client, bob, servers, sandbox):
    response = reboot(bob_client, servers[0])
    assert response.status_code == 200
    assert calls(sandbox, "GET /servers/{id}/reboot") == 1
    assert "The server is rebooting" in response.text
    assert 'hx-trigger="every 2s"' in response.text
    assert "Rebooting…" in response.text
    entry = AuditEntry.objects.get(action="power.reboot")
    assert entry.actor == bob and entry.server == servers[0] and entry.result == "ok"
    assert entry.srv_id == servers[0].srv_id and entry.server_name == servers[0].display_name


def test_a_double_submit_is_one_call_and_the_same_answer(bob_client, servers, sandbox):
    k = key()
    first = reboot(bob_client, servers[0], k)
    second = reboot(bob_client, servers[0], k)
    assert calls(sandbox, "GET /servers/{id}/reboot") == 1
    assert "The server is rebooting" in second.text
    assert AuditEntry.objects.filter(action="power.reboot").count() == 1
    assert first.status_code == second.status_code == 200


def test_a_second_press_within_the_cooldown_says_when_to_try_again(
    bob_client, servers, sandbox, settings
):
    settings.PANEL_POWER_COOLDOWN = 30
    reboot(bob_client, servers[0])
    response = reboot(bob_client, servers[0])  # another tab: another key
    assert calls(sandbox, "GET /servers/{id}/reboot") == 1
    assert "try again in" in response.text
    assert AuditEntry.objects.filter(action="power.reboot", result="refused").count() == 1


def test_no_cooldown_when_set_to_zero(bob_client, servers, sandbox, settings):
    settings.PANEL_POWER_COOLDOWN = 0
    reboot(bob_client, servers[0])
    reboot(bob_client, servers[0])
    assert calls(sandbox, "GET /servers/{id}/reboot") == 2


def test_without_the_key_the_post_is_403_and_no_call(client, alice, servers, sandbox):
    viewer = alice.__class__.objects.create_user("vera", password="x")
    grant_services.grant(alice, viewer, PRESETS["viewer"], server=servers[0])
    client.force_login(viewer)
    html = client.get(reverse("servers:detail", args=[servers[0].pk])).text
    for word in (">Reboot<", ">Power off<", ">Power on<", ">Open console<", ">Rename<"):
        assert word not in html
    assert "Edit reverse DNS" not in html
    assert reboot(client, servers[0]).status_code == 403
    assert calls(sandbox, "GET /servers/{id}/reboot") == 0


def test_a_stranger_gets_404(charlie_client, servers, sandbox):
    assert reboot(charlie_client, servers[0]).status_code == 404
    assert calls(sandbox, "GET /servers/{id}/reboot") == 0


def test_a_405_removes_the_power_buttons_for_good(alice_client, connection, sandbox):
    # The sandbox's db-primary is a KVM VPS that answers 405 to power on/off, as seen live.
    row = MirroredServer.objects.get(connection=connection, display_name="db-primary")
    url = reverse("servers:power_off", args=[row.pk])
    response = alice_client.post(url, {"idempotency_key": key()}, **HTMX)
    assert "cannot be powered on or off from the panel" in response.text
    row.refresh_from_db()
    assert set(row.unsupported) == {"power.on", "power.off"}
    html = alice_client.get(reverse("servers:detail", args=[row.pk])).text
    assert ">Power off</button>" not in html
    assert ">Reboot</button>" in html


@pytest.mark.parametrize(
    ("faults", "words"),
    [
        ({"error_rate": 1.0}, "had a problem answering"),
        ({"rate_limit_rate": 1.0, "retry_after": 7}, "try again in 8 seconds"),
        ({"timeout_rate": 1.0, "timeout_hold_seconds": 0.01}, "not known whether"),
        ({"hide_server": {"srv_id": None, "seconds": 60}}, "not showing this server"),
    ],
)
def test_upstream_failures_are_plain_messages(bob_client, servers, sandbox, faults, words):
    row = servers[0]
    if "hide_server" in faults:
        faults = {"hide_server": {"srv_id": row.srv_id, "seconds": 60}}
    open_server_page(bob_client, row)  # page cached before the fault
    sandbox.set_faults({**faults, "routes": ["GET /servers/{id}/reboot"]})
    response = reboot(bob_client, row)
    assert response.status_code == 200
    assert words in response.text
    assert "{" not in response.text.split("power-panel", 1)[1][:2000]  # no JSON dump
    assert AuditEntry.objects.get(action="power.reboot").result == "failed"


def test_an_expired_token_logs_in_again_and_reboots_once(bob_client, servers, sandbox):
    sandbox.set_faults({"expire_tokens": True})
    response = reboot(bob_client, servers[0])
    assert "The server is rebooting" in response.text
    assert calls(sandbox, "GET /servers/{id}/reboot") == 2  # refused with 401, then done once


def test_admins_see_the_technical_detail(alice_client, servers, sandbox):
    sandbox.set_faults({"error_rate": 1.0, "routes": ["GET /servers/{id}/reboot"]})
    response = reboot(alice_client, servers[0])
    assert "Terrahost" in response.text  # describe() for admins


def test_customers_do_not_see_the_technical_detail(bob_client, servers, sandbox):
    sandbox.set_faults({"error_rate": 1.0, "routes": ["GET /servers/{id}/reboot"]})
    assert "Terrahost" not in reboot(bob_client, servers[0]).text


def test_the_status_poll_stops_with_286_when_settled(bob_client, servers, sandbox):
    row = servers[0]
    reboot(bob_client, row)
    url = reverse("servers:power_status", args=[row.pk])
    import time

    polling = bob_client.get(
        url, {"action": "reboot", "goal": "on", "started": int(time.time())}, **HTMX
    )
    assert polling.status_code == 200  # still rebooting
    assert 'hx-trigger="every 2s"' in polling.text
    sandbox.advance(30)
    settled = bob_client.get(
        url, {"action": "reboot", "goal": "on", "started": int(time.time())}, **HTMX
    )
    assert settled.status_code == 286
    assert "Running" in settled.text
    assert "every 2s" not in settled.text


def test_the_poll_gives_up_after_two_minutes(bob_client, servers, sandbox):
    row = servers[0]
    reboot(bob_client, row)
    url = reverse("servers:power_status", args=[row.pk])
    response = bob_client.get(url, {"action": "reboot", "goal": "on", "started": 1}, **HTMX)
    assert response.status_code == 286
    assert "still changing" in response.text


def test_without_javascript_the_post_redirects_with_a_message(bob_client, servers, sandbox):
    url = reverse("servers:reboot", args=[servers[0].pk])
    response = bob_client.post(url, {"idempotency_key": key()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("servers:detail", args=[servers[0].pk])
    assert "The server is rebooting" in response.text


def test_a_suspended_server_shows_a_banner_and_refuses(bob_client, servers, sandbox):
    row = servers[0]
    server = sandbox.state.servers[row.srv_id]
    server.suspended, server.suspended_date = True, 1764000000
    html = _after_the_live_part(bob_client, row)
    assert "This server is suspended" in html
    assert "since 24 Nov 2025" in html
    assert ">Reboot</button>" not in html and ">Rename</button>" not in html
    assert "Edit reverse DNS" not in html
    row.refresh_from_db()
    response = reboot(bob_client, row)
    assert "suspended" in response.text
    assert calls(sandbox, "GET /servers/{id}/reboot") == 0


def test_power_on_for_a_stopped_server(bob_client, servers, sandbox):
    row = servers[0]
    reboot_url = reverse("servers:power_off", args=[row.pk])
    bob_client.post(reboot_url, {"idempotency_key": key()}, **HTMX)
    sandbox.advance(30)
    html = _after_the_live_part(bob_client, row)
    assert ">Power on</button>" in html
    assert ">Reboot</button>" not in html
    on = bob_client.post(
        reverse("servers:power_on", args=[row.pk]), {"idempotency_key": key()}, **HTMX
    )
    assert "powering on" in on.text or "try again in" in on.text


def _after_the_live_part(client, row) -> str:
    """The server changed upstream: the page showed the mirror's status, its live part
    found another and had it reload (HX-Refresh); the reload shows the cached record."""
    _page, live = open_server_page(client, row)
    assert live["HX-Refresh"] == "true"
    return client.get(reverse("servers:detail", args=[row.pk])).text
