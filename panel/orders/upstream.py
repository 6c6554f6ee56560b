"""Small helpers shared by the ISO and order operations (panel.isos, panel.orders)."""

from __future__ import annotations

from panel.operations.models import Operation
from terrahost_client.errors import BadRequest, NotSupported, TransportError, UnexpectedResponse


def in_their_words(call):
    """Run `call()`; a 405 comes back as a refusal in Terrahost's own sentence.

    explain() words a 405 generically ("cannot be done from the panel"); for these
    actions the provider's sentence says more, and the issue asks for it verbatim.
    """
    try:
        return call()
    except NotSupported as error:
        raise BadRequest(error.status, error.message, error.body) from error


def read_before(call):
    """A read made just before the one write. If it does not answer, nothing was sent:
    fail plainly now, rather than leave the write "maybe sent" (a TransportError there
    would make the task treat it as UNKNOWN and wait minutes for a write never made)."""
    try:
        return call()
    except TransportError as error:
        raise UnexpectedResponse(f"reading the server before the order failed: {error}") from error


def remember(op: Operation, **facts) -> None:
    """Keep facts on the operation now, before the write: if the write then times out,
    the checks still know what was there before it."""
    op.result = {**op.result, **facts}
    Operation.objects.filter(pk=op.pk).update(result=op.result)
