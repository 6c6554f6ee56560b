"""Every write operation against the sandbox, and what it changes over simulated time."""

import pytest

from terrahost_client.errors import BadRequest, NotFound, NotSupported
from terrahost_client.sandbox import SandboxApp

from .conftest import calls


def vps_ids(client):
    return [s.id for s in client.servers.list() if s.type == "vps"]


def advance(sandbox, seconds=3600):
    sandbox.advance(seconds)


def test_it_renames_a_server(client):
    server = client.servers.list()[0]
    client.servers.rename(server.id, "billing-api")
    assert client.servers.get(server.id).name == "billing-api"


def test_it_reboots_and_powers_a_server_off_and_on(client, sandbox):
    server = client.servers.list()[0]
    client.servers.reboot(server.id)
    advance(sandbox)
    assert client.servers.power_state(server.id).is_on is True
    # Some KVM VPSes refuse power on/off with a 405 (API notes): that is NotSupported.
    for srv_id in [s.id for s in client.servers.list()]:
        try:
            client.servers.power_off(srv_id)
        except NotSupported:
            continue
        advance(sandbox)
        assert client.servers.power_state(srv_id).is_on is False
        client.servers.power_on(srv_id)
        advance(sandbox)
        assert client.servers.power_state(srv_id).is_on is True
        break
    else:
        pytest.fail("no server accepted power off")


def test_some_vps_answer_405_to_power_while_reboot_works(client):
    refused = []
    for srv_id in vps_ids(client):
        try:
            client.servers.power_off(srv_id)
        except NotSupported as error:
            refused.append(srv_id)
            assert error.status == 405
            assert error.message
            client.servers.reboot(srv_id)
    assert refused


def test_it_creates_waits_for_and_deletes_a_snapshot(client, sandbox):
    srv_id = vps_ids(client)[0]
    assert client.snapshots.create(srv_id, "before-upgrade")
    (snapshot,) = [s for s in client.snapshots.list(srv_id) if s.display_name == "before-upgrade"]
    assert snapshot.state == "pending"
    completed = client.snapshots.wait_until_completed(
        srv_id, "before-upgrade", sleep=sandbox.advance, interval=10
    )
    assert completed.is_completed
    client.snapshots.delete(srv_id, completed.id)
    assert all(s.id != completed.id for s in client.snapshots.list(srv_id))
    with pytest.raises(NotFound):
        client.snapshots.delete(srv_id, completed.id)


def test_it_reinstalls_with_defaults_and_gets_a_root_password(client, sandbox):
    srv_id = client.servers.list()[0].id
    distro = client.reinstall.distros()[0]
    system = client.reinstall.operating_systems(distro.id)[-1]
    result = client.reinstall.start(srv_id, system.id, "fresh.example.com")
    assert len(result.root_password) >= 8
    assert result.root_password not in repr(result)
    assert client.servers.get(srv_id).is_installing
    # Empty language/keyboard/timezone would stall the installer; the client defaults them.
    server = client.servers.wait_until_installed(
        srv_id, system.id, "fresh.example.com", sleep=sandbox.advance, interval=30
    )
    assert server.os.id == system.id
    assert server.hostname == "fresh.example.com"
    second = client.reinstall.start(srv_id, system.id, "fresh.example.com")
    assert second.root_password != result.root_password


def test_it_sets_reverse_dns_for_an_ipv4_address_and_an_ipv6_subnet(client):
    server = client.servers.get(client.servers.list()[0].id)
    ipv4 = next(ip for ip in server.ips if ip.version == 4)
    client.reverse_dns.set_ipv4(server.id, ipv4.id, "mail.example.com")
    subnet = server.subnets[0]
    client.reverse_dns.set_ipv6(server.id, subnet.id, "ns1.example.com")
    again = client.servers.get(server.id)
    assert next(ip for ip in again.ips if ip.id == ipv4.id).reverse == "mail.example.com"
    assert "ns1.example.com" in next(s for s in again.subnets if s.id == subnet.id).nameservers


def test_it_rejects_an_invalid_dns_name_with_a_message(client):
    server = client.servers.get(client.servers.list()[0].id)
    with pytest.raises(BadRequest) as raised:
        client.reverse_dns.set_ipv4(server.id, server.ips[0].id, "not a hostname!")
    assert raised.value.message


def test_it_uploads_and_mounts_an_iso(client, sandbox):
    srv_id = client.servers.list()[0].id
    client.isos.upload(srv_id, "https://images.example.com/debian-12-netinst.iso")
    (iso,) = [i for i in client.isos.list(srv_id) if i.name == "debian-12-netinst.iso"]
    assert iso.state == "uploading"
    advance(sandbox)
    (iso,) = [i for i in client.isos.list(srv_id) if i.id == iso.id]
    assert iso.is_ready
    client.isos.mount(srv_id, iso.id)
    assert client.servers.get(srv_id).is_iso_mounted


def test_it_orders_an_upgrade_that_changes_the_server(client, sandbox):
    srv_id = vps_ids(client)[0]
    before = client.servers.get(srv_id)
    package = client.upgrades.list(srv_id)[-1]
    client.upgrades.order(srv_id, package.id)
    advance(sandbox)
    after = client.servers.get(srv_id)
    assert (after.cores, after.ram_gb, after.disks) != (before.cores, before.ram_gb, before.disks)


def test_it_orders_an_ipv4_address_that_appears_later(client, sandbox):
    srv_id = client.servers.list()[0].id
    count = len(client.servers.get(srv_id).ips)
    assert client.ips.order_ipv4(srv_id, "l3")
    advance(sandbox)
    assert len(client.servers.get(srv_id).ips) == count + 1


def test_it_refuses_an_unknown_ip_type_before_calling(client):
    with pytest.raises(ValueError, match="l2"):
        client.ips.order_ipv4(1, "l4")


def test_it_reads_bad_request_messages_from_meta(client):
    srv_id = client.servers.list()[0].id
    with pytest.raises(BadRequest) as raised:
        client.reinstall.start(srv_id, 999_999, "ok.example.com")
    assert raised.value.status == 400
    assert raised.value.message


def test_it_follows_pagination_when_the_account_has_many_servers(make_client):
    many = SandboxApp(seed=2, servers=250)
    servers = make_client(app=many).servers.list()
    assert len(servers) >= 250
    assert len({s.id for s in servers}) == len(servers)
    assert calls(many, "GET /servers") >= 3
