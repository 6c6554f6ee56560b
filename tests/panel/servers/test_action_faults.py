"""Every action under every upstream fault answers a plain message: never a 500, never a
JSON dump, never a traceback."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from panel.connections.models import Connection

from .conftest import open_server_page

HTMX = {"HTTP_HX_REQUEST": "true"}
FAULTS = {
    "5xx": {"error_rate": 1.0},
    "timeout": {"timeout_rate": 1.0, "timeout_hold_seconds": 0.01},
    "disconnect": {"disconnect_rate": 1.0},
    "429": {"rate_limit_rate": 1.0, "retry_after": 3},
}


def _ipv4_id(sandbox, row):
    return next(ip.ip_id for ip in sandbox.state.servers[row.srv_id].ips if ip.version == 4)


ACTIONS = {
    "reboot": ("servers:reboot", lambda sandbox, row: {}),
    "power off": ("servers:power_off", lambda sandbox, row: {}),
    "console": ("servers:console", lambda sandbox, row: {}),
    "rename": ("servers:rename", lambda sandbox, row: {"name": "new-name"}),
    "reverse DNS": (
        "servers:reverse_dns",
        lambda sandbox, row: {"ip_id": _ipv4_id(sandbox, row), "hostname": "a.example.com"},
    ),
}


def _prepare(client, sandbox, row, action):
    """The action's URL name and form data, with the server page already seen (cached)."""
    name, data = ACTIONS[action]
    open_server_page(client, row)
    return name, data(sandbox, row)


def _post(client, name, data, row):
    data = {**data, "idempotency_key": uuid.uuid4().hex}
    return client.post(reverse(name, args=[row.pk]), data, **HTMX)


def _assert_plain(response):
    assert response.status_code == 200
    text = response.text
    assert "Traceback" not in text and '"meta"' not in text and "{&quot;" not in text
    assert 'class="notice notice-' in text


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_under_every_fault_is_a_plain_message(
    bob_client, servers, sandbox, settings, action, fault
):
    settings.PANEL_POWER_COOLDOWN = 0
    row = servers[0]
    name, data = _prepare(bob_client, sandbox, row, action)
    sandbox.set_faults(FAULTS[fault])
    response = _post(bob_client, name, data, row)
    _assert_plain(response)
    assert "Terrahost" not in response.text  # customers read plain words only


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_after_the_token_expired_logs_in_again(bob_client, servers, sandbox, action):
    row = servers[0]
    name, data = _prepare(bob_client, sandbox, row, action)
    sandbox.set_faults({"expire_tokens": True})
    response = _post(bob_client, name, data, row)
    _assert_plain(response)
    assert "notice-success" in response.text


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_on_a_hidden_server(bob_client, servers, sandbox, action):
    row = servers[0]
    name, data = _prepare(bob_client, sandbox, row, action)
    sandbox.set_faults({"hide_server": {"srv_id": row.srv_id, "seconds": 60}})
    _assert_plain(_post(bob_client, name, data, row))


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_while_the_account_needs_a_2fa_code(bob_client, servers, sandbox, action):
    row = servers[0]
    name, data = _prepare(bob_client, sandbox, row, action)
    Connection.objects.filter(pk=row.connection_id).update(
        auth_state=Connection.AuthState.NEEDS_REAUTH, token_encrypted=""
    )
    response = _post(bob_client, name, data, row)
    _assert_plain(response)
    assert "needs an administrator" in response.text


def test_another_customers_server_403_from_terrahost_is_plain(bob_client, servers, sandbox):
    row = servers[0]
    open_server_page(bob_client, row)
    sandbox.set_faults({"routes": ["GET /servers/{id}/reboot"]})
    # The sandbox answers 403 for a server of another account: make the row point at one.
    mine = set(sandbox.state.accounts["demo"].server_ids)
    other = next(s for s in sandbox.state.servers.values() if s.srv_id not in mine)
    type(row).objects.filter(pk=row.pk).update(srv_id=other.srv_id)
    row.refresh_from_db()
    response = _post(bob_client, "servers:reboot", {}, row)
    _assert_plain(response)
