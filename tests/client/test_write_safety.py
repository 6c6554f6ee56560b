"""No write is ever repeated after it may have reached Terrahost; idempotent PUTs are."""

import pytest

from terrahost_client.errors import TransportError

from .conftest import calls

# (route, the call): every operation that changes something upstream.
WRITES = [
    ("GET /servers/{id}/reboot", lambda c, s: c.servers.reboot(s.id)),
    ("GET /servers/{id}/power/on", lambda c, s: c.servers.power_on(s.id)),
    ("GET /servers/{id}/power/off", lambda c, s: c.servers.power_off(s.id)),
    ("POST /servers/{id}/ipmi", lambda c, s: c.servers.ipmi_session(s.id)),
    ("POST /servers/{id}/snapshot", lambda c, s: c.snapshots.create(s.id, "x")),
    ("DELETE /servers/{id}/snapshot/{snap_id}", lambda c, s: c.snapshots.delete(s.id, 1)),
    ("POST /servers/{id}/reinstall", lambda c, s: c.reinstall.start(s.id, 101, "a.example")),
    ("POST /servers/{id}/isos", lambda c, s: c.isos.upload(s.id, "https://x.example/a.iso")),
    ("POST /servers/{id}/upgrade", lambda c, s: c.upgrades.order(s.id, 1)),
    ("POST /servers/{id}/ipv4", lambda c, s: c.ips.order_ipv4(s.id)),
]
IDEMPOTENT = [
    ("PUT /servers/{id}/name", lambda c, s: c.servers.rename(s.id, "again")),
    ("PUT /servers/{id}/reverse", lambda c, s: c.reverse_dns.set_ipv4(s.id, 1, "a.example.com")),
]


@pytest.fixture
def server(client):
    return next(s for s in client.servers.list() if s.type == "vps")


@pytest.mark.parametrize(("route", "call"), WRITES, ids=[route for route, _ in WRITES])
@pytest.mark.parametrize("fault", ["timeout_rate", "disconnect_rate", "error_rate"])
def test_a_write_is_sent_once_whatever_goes_wrong(client, sandbox, server, route, call, fault):
    sandbox.set_faults({fault: 1.0, "routes": [route]})
    with pytest.raises(Exception) as raised:
        call(client, server)
    assert isinstance(raised.value, TransportError) or raised.value.status >= 500
    assert calls(sandbox, route) == 1


@pytest.mark.parametrize(("route", "call"), IDEMPOTENT, ids=[route for route, _ in IDEMPOTENT])
def test_an_idempotent_put_is_repeated_on_a_timeout(client, sandbox, server, route, call):
    sandbox.set_faults({"timeout_rate": 1.0, "routes": [route]})
    with pytest.raises(TransportError):
        call(client, server)
    assert calls(sandbox, route) == client.max_retries + 1
