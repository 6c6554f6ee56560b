"""Read-only contract: every read operation, against the sandbox and (optionally) the real API."""

from datetime import UTC, datetime

import pytest
import requests

from terrahost_client.errors import NotFound, NotSupported
from terrahost_client.models import Server

STATUSES = {"running", "stopped", "installing", "rescue", "suspended"}


@pytest.fixture
def servers(api):
    return api.servers.list()


def test_it_authenticates_and_gets_a_token_with_an_expiry(api):
    token = api.authenticate()
    assert token.token
    assert token.expires_at is None or token.expires_at > datetime.now(UTC)


def test_it_lists_servers_as_typed_models(servers):
    assert servers
    for server in servers:
        assert isinstance(server, Server)
        assert server.id > 0
        assert server.name
        assert server.status in STATUSES
        assert server.raw["srv_id"]


def test_it_gets_one_server_with_its_details(api, servers):
    server = api.servers.get(servers[0].id)
    assert server.id == servers[0].id
    assert server.ips
    assert all(ip.address for ip in server.ips)


def test_it_reads_the_power_state(api, servers):
    state = api.servers.power_state(servers[0].id)
    assert isinstance(state.is_on, bool)


def test_it_lists_snapshots_of_a_vps(api, servers):
    vps = next((s for s in servers if s.type == "vps"), None)
    if vps is None:
        pytest.skip("no VPS on this account")
    for snapshot in api.snapshots.list(vps.id):
        assert snapshot.state in ("pending", "completed")


def test_it_decodes_both_graphs_to_png(api, servers):
    for graphs in (api.graphs.bandwidth(servers[0].id), api.graphs.packets(servers[0].id)):
        for image in (graphs.day, graphs.week, graphs.month, graphs.year):
            assert image.startswith(b"\x89PNG\r\n\x1a\n")


def test_it_lists_distros_and_their_operating_systems(api):
    distros = api.reinstall.distros()
    assert distros
    systems = api.reinstall.operating_systems(distros[0].id)
    assert systems
    assert all(system.id and system.name for system in systems)


def test_it_lists_isos_and_upgrades(api, servers):
    server = servers[0]
    for iso in api.isos.list(server.id):
        assert iso.name
    try:
        packages = api.upgrades.list(server.id)
    except NotSupported:
        pytest.skip("this server has no upgrades")
    for package in packages:
        assert package.id is not None


def test_it_reads_the_account_and_invoices(api):
    account = api.account.get()
    assert account.id
    for invoice in api.account.invoices():
        assert invoice.id is not None
        assert invoice.total is not None


def test_it_raises_not_found_for_an_unknown_server(api):
    with pytest.raises(NotFound):
        api.servers.get(999_999_999)


def test_it_sends_its_user_agent_and_a_timeout_on_every_request(make_client):
    seen = []

    class RecordingSession(requests.Session):
        def request(self, method, url, **kwargs):
            response = super().request(method, url, **kwargs)
            seen.append((response.request.headers["User-Agent"], kwargs["timeout"]))
            return response

    client = make_client(timeout=(2.0, 7.0))
    recording = RecordingSession()
    recording.adapters = client.session.adapters
    client.session = recording
    client.servers.list()
    assert len(seen) == 2  # the login and the list
    assert all(agent.startswith("terrahost-client/") for agent, _ in seen)
    assert all(timeout == (2.0, 7.0) for _, timeout in seen)
