"""The catalogue of operating systems for the wizard, cached: it changes rarely and is the
same for every server of a connection."""

from __future__ import annotations

from panel.connections.errors import ConnectionProblem, explain
from panel.connections.services import api
from panel.core import softcache
from panel.core.outcomes import Outcome
from terrahost_client.errors import TerrahostError
from terrahost_client.models import Distro, OperatingSystem

CATALOG_TTL = 3600


def _cached(key: str, fetch):
    records = softcache.get(key)
    if records is None:
        records = fetch()
        softcache.set(key, records, CATALOG_TTL)
    return records


def distros(connection) -> tuple[list[Distro], Outcome | None]:
    """Active distributions, or ([], the problem in plain words)."""
    try:
        records = _cached(
            f"reinstall-distros:{connection.pk}",
            lambda: _read(connection, lambda client: [d.raw for d in client.reinstall.distros()]),
        )
    except (TerrahostError, ConnectionProblem) as error:
        return [], explain(error, write=False)
    found = [Distro.from_api(record) for record in records]
    return [d for d in found if d.is_active and d.id is not None], None


def operating_systems(connection, distro_id: int, row_ram_gb, is_vps: bool):
    """(systems this server can run, problem or None): systems only for dedicated servers
    are left out on a VPS, and so are those that need more memory than the server has."""
    try:
        records = _cached(
            f"reinstall-systems:{connection.pk}:{distro_id}",
            lambda: _read(
                connection,
                lambda client: [o.raw for o in client.reinstall.operating_systems(distro_id)],
            ),
        )
    except (TerrahostError, ConnectionProblem) as error:
        return [], explain(error, write=False)
    systems = []
    for record in records:
        system = OperatingSystem.from_api(record)
        if system.id is None:
            continue
        if system.dedicated_only and is_vps:
            continue
        if system.min_ram_gb and row_ram_gb is not None and system.min_ram_gb > row_ram_gb:
            continue
        systems.append(system)
    return systems, None


def _read(connection, call):
    with api(connection) as client:
        return call(client)
