"""ISO images: the list (a read), and mounting/unmounting, which are immediate actions.

Mounting is one call whose answer already says it is done ("ISO has been mounted."):
there is nothing to follow, so it goes through the action pattern (panel.core.actions.
perform: one call per press, one at a time per server, audited) rather than a Celery
operation. Uploading takes minutes and is an operation (see operation.py).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from panel.connections.errors import ConnectionProblem
from panel.connections.services import api
from panel.core.actions import Outcome, explain, perform
from panel.operations.models import Operation
from panel.orders.upstream import in_their_words
from terrahost_client.errors import TerrahostError

UNMOUNT = 0  # mounting ISO 0 unmounts (what the API takes; there is no unmount endpoint)


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


def mount(request, row, iso, key: str) -> Outcome:
    return perform(
        request,
        row,
        "iso.mount",
        key,
        lambda client: in_their_words(lambda: client.isos.mount(row.srv_id, iso.id)),
        done=(
            _("%(name)s is mounted: the server can start from it.") % {"name": iso.name}
            if iso.name
            else _("The ISO image is mounted: the server can start from it.")
        ),
        scope="iso",
        fingerprint=str(iso.id),
        details={"iso_id": iso.id, "name": iso.name},
    )


def unmount(request, row, key: str) -> Outcome:
    return perform(
        request,
        row,
        "iso.unmount",
        key,
        lambda client: in_their_words(lambda: client.isos.mount(row.srv_id, UNMOUNT)),
        done=_("The ISO image is unmounted: the server starts from its own disk again."),
        scope="iso",
        fingerprint="unmount",
    )
