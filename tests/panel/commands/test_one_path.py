"""Every URL that changes a server goes through the one executor, exactly once.

The executor is replaced by a spy that records the command and refuses it; each view is
then posted a valid form. Had a view reached a service or the client on its own, the
sandbox would count a write, or an operation, a schedule or an audit entry would appear.
A server-scoped URL that takes POST and is in neither list below fails the test.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from panel.audit.models import AuditEntry
from panel.commands import executor
from panel.core.outcomes import refused
from panel.operations.models import Operation
from panel.snapshots.models import SnapshotSchedule
from terrahost_client.sandbox.catalog import PACKAGES_BY_ID

from ..core.urlwalk import GET_ONLY, SERVER_KEYS
from ..operations.test_reinstall import choices
from ..snapshots.conftest import take_outside

# The server-scoped URLs that change nothing at Terrahost nor in a server's state.
NOT_COMMANDS = {
    # Hides a finished operation from the server page (how the page looks, for everyone).
    "operations:dismiss",
}


def _key() -> str:
    return uuid.uuid4().hex


def _vps(servers):
    return next(s for s in servers if s.type == "vps")


def _reinstall(client, row):
    answers, _system = choices(client, row)
    data = {**answers, "confirm_name": row.display_name, "idempotency_key": _key()}
    return reverse("reinstall:wizard", args=[row.pk]), data


def _reveal(client, row):
    op = Operation.objects.create(
        kind="reinstall",
        server=row,
        srv_id=row.srv_id,
        connection=row.connection,
        idempotency_key=_key(),
        status="succeeded",
    )
    return reverse("operations:reveal", args=[row.pk, op.pk]), {}


def _delete_snapshot(client, row):
    take_outside(row, "outside")
    listed = client.get(reverse("snapshots:list", args=[row.pk])).context["listing"]
    snapshot = listed.snapshots[0]
    url = reverse("snapshots:delete", args=[row.pk, snapshot.id])
    return url, {"idempotency_key": _key()}


def _upgrade(sandbox, row):
    record = sandbox.state.servers[row.srv_id]
    package = next(p for p in PACKAGES_BY_ID.values() if p.ram_mb > record.ram * 1024)
    data = {"package": package.pkg_id, "confirm_name": row.display_name, "idempotency_key": _key()}
    return reverse("orders:upgrade", args=[row.pk]), data


def _mount(sandbox, row):
    iso = next(i for i in sandbox.state.accounts["demo"].isos.values() if i.ready)
    return reverse("isos:mount", args=[row.pk]), {"iso_id": iso.iso_id, "idempotency_key": _key()}


def _reverse_dns(sandbox, row):
    ip = next(ip for ip in sandbox.state.servers[row.srv_id].ips if ip.version == 4)
    data = {"ip_id": ip.ip_id, "hostname": "mail.example.com", "idempotency_key": _key()}
    return reverse("servers:reverse_dns", args=[row.pk]), data


def _simple(url_name, /, **data):
    def build(row):
        return reverse(url_name, args=[row.pk]), {"idempotency_key": _key(), **data}

    return build


# URL name -> (the command the executor must get, how to post a valid form to it).
COMMANDS = {
    "servers:reboot": ("Power", lambda c, s, row: _simple("servers:reboot")(row)),
    "servers:power_off": ("Power", lambda c, s, row: _simple("servers:power_off")(row)),
    "servers:power_on": ("Power", lambda c, s, row: _simple("servers:power_on")(row)),
    "servers:console": ("OpenConsole", lambda c, s, row: _simple("servers:console")(row)),
    "servers:rename": ("Rename", lambda c, s, row: _simple("servers:rename", name="web-9")(row)),
    "servers:reverse_dns": ("SetReverseDNS", lambda c, s, row: _reverse_dns(s, row)),
    "reinstall:wizard": ("Reinstall", lambda c, s, row: _reinstall(c, row)),
    "operations:reveal": ("RevealRootPassword", lambda c, s, row: _reveal(c, row)),
    "isos:upload": (
        "UploadIso",
        lambda c, s, row: _simple("isos:upload", url="https://example.com/a.iso")(row),
    ),
    "isos:mount": ("MountIso", lambda c, s, row: _mount(s, row)),
    "isos:unmount": ("UnmountIso", lambda c, s, row: _simple("isos:unmount")(row)),
    "orders:upgrade": ("OrderUpgrade", lambda c, s, row: _upgrade(s, row)),
    "orders:ipv4": (
        "OrderIPv4",
        lambda c, s, row: _simple("orders:ipv4", ip_type="l3")(row),
    ),
    "snapshots:take": ("TakeSnapshot", lambda c, s, row: _simple("snapshots:take", name="n")(row)),
    "snapshots:delete": ("DeleteSnapshot", lambda c, s, row: _delete_snapshot(c, row)),
    "snapshots:schedule": (
        "SaveSnapshotSchedule",
        lambda c, s, row: _simple(
            "snapshots:schedule", enabled="on", frequency="daily", weekday="0", hour="3", keep="2"
        )(row),
    ),
}


def test_every_server_url_that_takes_post_is_listed():
    posting = set(SERVER_KEYS) - GET_ONLY
    assert posting == set(COMMANDS) | NOT_COMMANDS


# Terrahost's power calls are GETs; every other write is not (a login changes nothing).
GET_WRITES = {
    "GET /servers/{id}/reboot",
    "GET /servers/{id}/power/on",
    "GET /servers/{id}/power/off",
}


def _writes(sandbox) -> int:
    """Calls to Terrahost that change something."""
    return sum(
        sum(by_status.values())
        for route, by_status in sandbox.stats()["calls"].items()
        if route in GET_WRITES or not (route.startswith("GET") or route == "POST /authenticate")
    )


@pytest.mark.parametrize("name", sorted(COMMANDS))
@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_the_view_goes_through_the_executor_once(
    name, javascript, alice_client, servers, sandbox, monkeypatch
):
    expected, build = COMMANDS[name]
    row = _vps(servers)
    url, data = build(alice_client, sandbox, row)
    before = _writes(sandbox)
    seen = []

    def spy(command):
        seen.append(command)
        return refused("Refused by the test.")

    monkeypatch.setattr(executor, "execute", spy)
    headers = {"HTTP_HX_REQUEST": "true"} if javascript else {}
    response = alice_client.post(url, data, **headers)
    assert response.status_code < 500, response.status_code
    assert [type(command).__name__ for command in seen] == [expected], name
    command = seen[0]
    assert command.server.pk == row.pk and command.actor.user.username == "alice"
    assert command.actor.origin == "web"
    assert _writes(sandbox) == before, "a write reached Terrahost without the executor"
    assert not Operation.objects.filter(status__in=Operation.ACTIVE).exists()
    assert not SnapshotSchedule.objects.exists()
    assert not AuditEntry.objects.filter(server=row).exists()
