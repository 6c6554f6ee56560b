"""Every recorded response of the sister platform parses into typed models (API notes)."""

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from terrahost_client._envelope import fields, many, one
from terrahost_client.client import _parse
from terrahost_client.errors import BadRequest, PermissionDenied
from terrahost_client.models import Account, Distro, Invoice, OperatingSystem, Server

# A copy of shared/reference/recorded (MIT, see its README), so the suite stands alone.
RECORDED = Path(__file__).parent / "recorded"


def load(name):
    return json.loads((RECORDED / name).read_text())


class FakeResponse:
    def __init__(self, status, body):
        self.status_code = status
        self.reason = ""
        self.headers = {}
        self._body = body

    def json(self):
        return self._body


# Which model each recorded success response is made of, and where its records sit.
MODELS = {
    "account/get.json": (Account, lambda body: [fields(body)]),
    "billing/get.json": (Invoice, lambda body: many(body, "invoices")),
    "billing/get_mixed_types.json": (Invoice, lambda body: many(body, "invoices")),
    "reinstall/distros.json": (Distro, many),
    "reinstall/distro_debian.json": (OperatingSystem, many),
    "reinstall/distro_ubuntu.json": (OperatingSystem, many),
    "servers/list.json": (Server, many),
    "servers/list_fractional_ram.json": (Server, many),
    "servers/get_colocation.json": (Server, lambda body: [one(body)]),
}
ERRORS = {"account/apikeys_token_403.json", "dns/redirect_external_400.json"}


def test_every_recorded_file_is_covered():
    names = {p.relative_to(RECORDED).as_posix() for p in RECORDED.rglob("*.json")}
    assert names == set(MODELS) | ERRORS


@pytest.mark.parametrize("name", sorted(MODELS))
def test_it_parses_each_recorded_file_into_its_model(name):
    model, records = MODELS[name]
    for record in records(load(name)):
        parsed = model.from_api(record)
        assert parsed.raw  # the record is kept
        assert parsed.id is not None


def test_it_types_the_live_list_with_fractional_ram():
    servers = [Server.from_api(r) for r in many(load("servers/list_fractional_ram.json"))]
    assert [s.id for s in servers] == [14666, 4452]
    first = servers[0]
    assert first.ram_gb == Decimal(64)
    assert first.is_running is True
    assert first.type == "dedicated"
    assert first.location == "NO DC2"  # srv_location is empty: the datacenter says where
    assert first.primary_ip == "192.0.2.10"
    assert isinstance(first.created_at, datetime)
    assert first.order is None  # {"order_billing_date": null} is no order
    assert first.raw["srv_mgmt_type"] == "nanokvm"


def test_it_types_the_live_colocation_detail():
    server = Server.from_api(one(load("servers/get_colocation.json")))
    assert server.id == 4452
    assert server.ram_gb == Decimal("0.25")
    assert server.disks[0].size_gb == Decimal("0.5")
    assert server.cpus[0].name == "Cyrix 6x86 133MHz"
    assert {ip.version for ip in server.ips} == {4, 6}
    assert server.subnets[0].cidr == "2a03:94e0:200d::/48"
    assert server.order.total is None  # REDACTED money
    assert server.order.date is None  # REDACTED timestamp
    assert server.order.product_name == "Colocation 1U/Tower"
    assert server.ipmi_session is None
    assert server.status == "running"


def test_it_types_the_docs_example_list():
    (server,) = [Server.from_api(r) for r in many(load("servers/list.json"))]
    assert server.vps_type == "kvm"
    assert server.os.name
    assert server.ips[0].type == "primary"


def test_it_types_distros_and_operating_systems():
    distros = [Distro.from_api(r) for r in many(load("reinstall/distros.json"))]
    assert [(d.id, d.name) for d in distros] == [(2, "Debian"), (3, "Ubuntu")]
    systems = [OperatingSystem.from_api(r) for r in many(load("reinstall/distro_ubuntu.json"))]
    assert systems[0].id == 102
    assert systems[0].min_ram_gb == Decimal(2)


def test_it_types_invoices_with_mixed_money_types():
    body = load("billing/get_mixed_types.json")
    invoices = [Invoice.from_api(r) for r in many(body, "invoices")]
    assert [i.total for i in invoices] == [Decimal("100.00"), Decimal("100.5")]
    assert [i.is_paid for i in invoices] == [True, False]
    assert invoices[1].total_with_vat == Decimal("125.5")


def test_it_reads_the_account_inside_an_envelope_too():
    account = Account.from_api(fields(load("account/get.json")))
    assert account.id == 1111
    assert account.contacts[0].is_admin is True


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("account/apikeys_token_403.json", PermissionDenied, "You do not have permission"),
        ("dns/redirect_external_400.json", BadRequest, "Redirects are not available"),
    ],
)
def test_it_turns_recorded_errors_into_typed_errors(name, error, message):
    body = load(name)
    with pytest.raises(error) as raised:
        _parse(FakeResponse(body["meta"]["status"], body))
    assert raised.value.message.startswith(message)
