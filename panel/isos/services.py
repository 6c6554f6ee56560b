"""ISO images: the list (a read) and the uploads to show. Uploading, mounting and
unmounting are commands (commands.py)."""

from __future__ import annotations

from panel.connections.errors import ConnectionProblem, explain
from panel.connections.services import api
from panel.core.outcomes import Outcome
from panel.operations.models import Operation
from terrahost_client.errors import TerrahostError


def list_isos(row) -> tuple[list, Outcome | None]:
    """The account's ISO images, each saying whether it is mounted on this server, or
    ([], the problem in plain words)."""
    try:
        with api(row.connection) as client:
            return client.isos.list(row.srv_id), None
    except (TerrahostError, ConnectionProblem) as error:
        return [], explain(error, write=False)


def uploads(row) -> list[Operation]:
    """The newest ISO uploads on this server that nobody dismissed."""
    return list(Operation.objects.filter(server=row, kind="iso_upload", dismissed=False)[:3])
