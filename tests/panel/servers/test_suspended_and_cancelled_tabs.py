"""A suspended server offers no change on any tab, and a cancelled one nothing to order or
install; each tab says why (the header's notice). The provider suspends and cancels
through the sandbox's control (POST /_sandbox/servers/{id})."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.grants import services as grant_services
from panel.grants.permissions import ALL_KEYS

from ..conftest import log_in

TABS = ("servers:detail", "snapshots:list", "isos:list", "audit:server", "graphs:server")
CHANGES = (
    ">Reboot<",
    ">Power off<",
    ">Rename<",
    ">Take snapshot<",
    ">Save schedule<",
    ">Reinstall<",
    ">Upgrade<",
    ">Order IPv4 address<",
    ">Edit reverse DNS<",
    ">Open console<",
)
ORDERS = (">Reinstall<", ">Upgrade<", ">Order IPv4 address<")


@pytest.fixture
def manager(client, alice, servers):
    """Someone holding every key on a VPS (snapshots, reinstall, orders)."""
    from panel.accounts.models import User

    row = next(server for server in servers if server.type == "vps")
    user = User.objects.create_user("mona", "mona@example.org", "x-Very-long-9")
    grant_services.grant(alice, user, ALL_KEYS, connection=row.connection)
    log_in(client, user)
    return client, row


def _pages(client, row) -> dict:
    pages = {}
    for name in TABS:
        response = client.get(reverse(name, args=[row.pk]))
        assert response.status_code == 200, name
        pages[name] = response.text
    return pages


def test_a_running_server_offers_its_changes(manager):
    client, row = manager
    pages = _pages(client, row)
    assert ">Take snapshot<" in pages["snapshots:list"]
    assert ">Reinstall<" in pages["servers:detail"]


def test_a_suspended_server_offers_no_change_on_any_tab(manager, sandbox):
    client, row = manager
    sandbox._set_server(row.srv_id, {"suspended": True})
    client.get(reverse("servers:detail_live", args=[row.pk]))  # read live: the mirror learns
    for name, text in _pages(client, row).items():
        assert "This server is suspended" in text, name
        for control in CHANGES:
            assert control not in text, (name, control)


def test_a_cancelled_server_offers_nothing_to_order_or_install(manager, sandbox):
    client, row = manager
    sandbox._set_server(row.srv_id, {"cancelled": True})
    client.get(reverse("servers:detail_live", args=[row.pk]))
    for name, text in _pages(client, row).items():
        assert "nothing can be ordered or installed on it any more" in text, name
        for control in ORDERS:
            assert control not in text, (name, control)
