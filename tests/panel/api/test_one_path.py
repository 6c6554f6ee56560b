"""Every change through the API is one command, carried out by the one executor.

The executor is replaced by a spy that records the command and refuses it; each endpoint
that changes something is then sent a valid request. Had it reached a service or the
client on its own, the sandbox would count a write, or an operation or audit entry would
appear. An endpoint that changes something and is missing below fails the test."""

from __future__ import annotations

import pytest

from panel.api.idempotency import command_key
from panel.audit.models import AuditEntry
from panel.commands import executor
from panel.core.outcomes import refused
from panel.operations.models import Operation
from panel.tokens.scopes import ENDPOINTS
from terrahost_client.sandbox.catalog import PACKAGES_BY_ID

from ..commands.test_one_path import _writes
from ..snapshots.conftest import take_outside
from .conftest import make_token


def _vps(servers):
    return next(s for s in servers if s.type == "vps")


def _snapshot(api, row, sandbox):
    take_outside(row, "outside")
    snapshot = api.get(f"/api/v1/servers/{row.pk}/snapshots/").json()[0]
    return f"/api/v1/servers/{row.pk}/snapshots/{snapshot['id']}/", None


def _reinstall(api, row, sandbox):
    distro = next(d for d in api.get(f"/api/v1/servers/{row.pk}/reinstall/").json()["distros"])
    body = {"distro_id": distro["id"], "os_id": distro["systems"][0]["id"], "hostname": "a.b.no"}
    return f"/api/v1/servers/{row.pk}/reinstall/", body


def _reveal(api, row, sandbox):
    op = Operation.objects.create(
        kind="reinstall",
        server=row,
        srv_id=row.srv_id,
        connection=row.connection,
        idempotency_key="one-path",
        status="succeeded",
    )
    return f"/api/v1/operations/{op.pk}/reveal-password/", None


def _mount(api, row, sandbox):
    iso = next(i for i in sandbox.state.accounts["demo"].isos.values() if i.ready)
    return f"/api/v1/servers/{row.pk}/isos/mount/", {"iso_id": iso.iso_id}


def _upgrade(api, row, sandbox):
    record = sandbox.state.servers[row.srv_id]
    package = next(p for p in PACKAGES_BY_ID.values() if p.ram_mb > record.ram * 1024)
    return f"/api/v1/servers/{row.pk}/upgrade/", {"package_id": package.pkg_id}


def _simple(tail, body=None):
    return lambda api, row, sandbox: (f"/api/v1/servers/{row.pk}/{tail}", body)


S = "/api/v1/servers/{id}/"
# Endpoint -> (the command the executor must get, how to build a valid request).
COMMANDS = {
    f"PATCH {S}": ("Rename", _simple("", {"name": "web-9"})),
    f"POST {S}power/": ("Power", _simple("power/", {"action": "reboot"})),
    f"POST {S}console/": ("OpenConsole", _simple("console/")),
    f"POST {S}reverse-dns/": (
        "SetReverseDNS",
        lambda api, row, sandbox: (
            f"/api/v1/servers/{row.pk}/reverse-dns/",
            {"address": row.primary_ip, "value": "mail.example.com"},
        ),
    ),
    f"POST {S}snapshots/": ("TakeSnapshot", _simple("snapshots/", {"name": "n"})),
    f"DELETE {S}snapshots/{{snapshot_id}}/": ("DeleteSnapshot", _snapshot),
    f"POST {S}reinstall/": ("Reinstall", _reinstall),
    f"POST {S}isos/": ("UploadIso", _simple("isos/", {"url": "https://example.com/a.iso"})),
    f"POST {S}isos/mount/": ("MountIso", _mount),
    f"POST {S}isos/unmount/": ("UnmountIso", _simple("isos/unmount/")),
    f"POST {S}upgrade/": ("OrderUpgrade", _upgrade),
    f"POST {S}ipv4/": ("OrderIPv4", _simple("ipv4/", {"type": "l3"})),
    "POST /api/v1/operations/{id}/reveal-password/": ("RevealRootPassword", _reveal),
}


def test_every_endpoint_that_changes_something_is_listed():
    # Of a server. An endpoint without one (key None: customers, their people and access,
    # sign-in links, webhooks) changes the panel's own records through its app's services,
    # as its pages do, each audited; a suspension's power-offs go through the executor
    # (tests/panel/api/test_customers_api.py).
    changing = {
        endpoint
        for endpoint, (_scope, key) in ENDPOINTS.items()
        if not endpoint.startswith("GET ") and key is not None
    }
    assert changing == set(COMMANDS)


@pytest.mark.parametrize("endpoint", sorted(COMMANDS))
def test_the_endpoint_goes_through_the_executor_once(
    endpoint, api, alice, servers, sandbox, monkeypatch
):
    expected, build = COMMANDS[endpoint]
    app = api(make_token(alice, application=True, name="one path"))
    row = _vps(servers)
    url, body = build(app, row, sandbox)
    before = _writes(sandbox)
    operations = Operation.objects.count()
    seen = []

    def spy(command):
        seen.append(command)
        return refused("Refused by the test.")

    monkeypatch.setattr(executor, "execute", spy)
    method = endpoint.split()[0].lower()
    answer = getattr(app, method)(url, body, key="one-path-key")
    assert answer.status_code == 409, answer.content
    assert answer.json()["detail"] == "Refused by the test."
    assert [type(command).__name__ for command in seen] == [expected]
    command = seen[0]
    assert command.server.pk == row.pk
    assert command.actor.origin == "api" and command.actor.kind == "token"
    assert command.actor.token.name == "one path" and command.actor.user is None
    if expected != "RevealRootPassword":  # a LocalChange takes no key
        # The header, as the executor's key: the same for this token, another for others.
        assert command.key == command_key(command.actor.token, "one-path-key")
        assert len(command.key) == 32 and int(command.key, 16) >= 0
    assert _writes(sandbox) == before, "a write reached Terrahost without the executor"
    assert Operation.objects.count() == operations
    assert not AuditEntry.objects.filter(server=row).exists()
