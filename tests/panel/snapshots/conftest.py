"""Snapshot tests: helpers to run an operation's tasks in the test's own thread."""

from __future__ import annotations

from panel.connections.services import api
from panel.operations import tasks as operation_tasks
from panel.operations.models import Operation


def run(op: Operation, sandbox=None, *, advance: float = 0, checks: int = 1) -> Operation:
    """run_operation then `checks` follow_operation calls, here and now; the sandbox clock
    moves `advance` seconds between the write and the first check."""
    operation_tasks.run_operation(op.pk)
    if advance and sandbox is not None:
        sandbox.advance(advance)
    for _ in range(checks):
        operation_tasks.follow_operation(op.pk)
    op.refresh_from_db()
    return op


def snapshots_of(server):
    with api(server.connection) as client:
        return client.snapshots.list(server.srv_id)


def take_outside(server, name: str) -> None:
    """A snapshot taken at the provider directly, not through the panel."""
    with api(server.connection) as client:
        client.snapshots.create(server.srv_id, name)
