"""Orders without an id, cancelled servers, loose srv_status and ids in either form."""

import pytest
import requests

from terrahost_client import Client
from terrahost_client.models import IPAddress, Iso, Server
from terrahost_client.sandbox import mount

from .conftest import BASE, calls
from .test_recorded import load

# Hand-written records in the shapes the notes describe (not recordings).
RUNNING = {"srv_id": "3523", "srv_name": "web-01", "srv_status": "1"}


@pytest.mark.parametrize("status", ["cancelled", "Cancelled", "canceled", " CANCELLED "])
def test_an_order_status_without_an_order_id_is_kept_and_marks_the_server_cancelled(status):
    server = Server.from_api({**RUNNING, "order": {"order_status": status}})
    assert server.order is not None and server.order.id is None
    assert server.is_cancelled
    assert server.status == "cancelled"


def test_cancelled_wins_over_suspended_and_running():
    record = {**RUNNING, "srv_suspended": True, "order": {"order_status": "cancelled"}}
    assert Server.from_api(record).status == "cancelled"


@pytest.mark.parametrize(
    "order", [{"order_status": "active"}, {"order_id": "3081", "order_status": "REDACTED"}]
)
def test_other_order_statuses_are_not_cancelled(order):
    server = Server.from_api({**RUNNING, "order": order})
    assert server.order is not None and not server.is_cancelled
    assert server.status == "running"


@pytest.mark.parametrize("order", [None, {}, [], {"order_billing_date": None}, {"order_id": ""}])
def test_an_order_without_any_value_is_no_order(order):
    assert Server.from_api({**RUNNING, "order": order}).order is None


def test_the_recorded_servers_are_not_cancelled():
    for name in ("servers/get_colocation.json", "servers/list_fractional_ram.json"):
        data = load(name)["data"]
        for record in data:
            assert not Server.from_api(record).is_cancelled


@pytest.mark.parametrize(
    ("value", "running"),
    [("1", True), ("0", False), (1, True), (0, False), (True, True), (False, False),
     ("true", True), ("false", False), (None, False), ("", False)],
)  # fmt: skip
def test_srv_status_is_read_in_every_form(value, running):
    server = Server.from_api({**RUNNING, "srv_status": value})
    assert server.is_running is running
    assert server.status == ("running" if running else "stopped")


@pytest.mark.parametrize("value", ["7795", 7795, " 7795 "])
def test_ids_come_out_as_numbers_from_strings_or_numbers(value):
    assert IPAddress.from_api({"ip_id": value, "sub_id": value}).id == 7795
    assert IPAddress.from_api({"ip_id": value, "sub_id": value}).subnet_id == 7795
    assert Iso.from_api({"iso_id": value}).id == 7795


class RecordingSession(requests.Session):
    def __init__(self):
        super().__init__()
        self.bodies = []

    def request(self, method, url, **kwargs):
        self.bodies.append(kwargs.get("json"))
        return super().request(method, url, **kwargs)


@pytest.fixture
def recorded(sandbox):
    session = RecordingSession()
    mount(session, sandbox, BASE)
    return Client("demo", "demo", base_url=BASE + "/api/v3", session=session), session


def test_reverse_dns_takes_ids_as_the_record_has_them_and_sends_numbers(recorded):
    client, session = recorded
    server = client.servers.get(client.servers.list()[0].id)
    ipv4 = next(ip for ip in server.ips if ip.version == 4)
    assert isinstance(ipv4.raw["ip_id"], str)
    client.reverse_dns.set_ipv4(server.raw["srv_id"], ipv4.raw["ip_id"], "a.example.com")
    client.reverse_dns.set_ipv4(server.id, ipv4.id, "b.example.com")
    assert session.bodies[-2]["ip_id"] == session.bodies[-1]["ip_id"] == ipv4.id
    subnet = server.subnets[0]
    client.reverse_dns.set_ipv6(server.id, subnet.raw["sub_id"], "ns1.example.com")
    assert session.bodies[-1]["sub_id"] == subnet.id


def test_an_iso_is_mounted_by_an_id_sent_as_a_string(recorded, sandbox):
    client, session = recorded
    srv_id = client.servers.list()[0].id
    iso = next(i for i in client.isos.list(srv_id) if i.is_ready)
    client.isos.mount(srv_id, iso.id)
    client.isos.mount(srv_id, iso.raw["iso_id"])
    assert session.bodies[-2] == session.bodies[-1] == {"iso_id": str(iso.id)}


@pytest.mark.parametrize("bad", [True, None, "abc", "7795.5", 7795.0, ""])
def test_an_id_that_is_not_a_number_fails_before_any_call(client, sandbox, bad):
    srv_id = client.servers.list()[0].id
    with pytest.raises(ValueError, match="an id must be"):
        client.reverse_dns.set_ipv4(srv_id, bad, "a.example.com")
    with pytest.raises(ValueError, match="an id must be"):
        client.isos.mount(srv_id, bad)
    with pytest.raises(ValueError, match="an id must be"):
        client.servers.get(bad)
    assert calls(sandbox, "PUT /servers/{id}/reverse") == 0
    assert calls(sandbox, "POST /servers/{id}/isos") == 0
    assert calls(sandbox, "GET /servers/{id}") == 0
