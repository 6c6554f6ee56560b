"""Commands: every change the panel makes upstream or to a server's state, as typed input.

A command says who asks (`actor`, with the door they came through), on which server, with
which idempotency key, and what exactly; `executor.execute(command)` is the only thing
that carries one out. Three shapes:

    UpstreamCall     one call to Terrahost, answered at once (power, rename, mount, ...)
    StartOperation   a long operation: one Operation row and its Celery task (reinstall,
                     snapshots, orders, ISO upload)
    LocalChange      a change to the panel's own records about a server (a snapshot
                     schedule, revealing a root password once)

Each app declares its commands in its own `commands.py`; a view, an API endpoint, a
schedule, a bulk run or an approval builds one and hands it to the executor.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy

from panel.core.actors import Actor
from panel.core.outcomes import SUSPENDED_MESSAGE, Outcome, refused
from panel.operations.kinds import KINDS

CANCELLED_MESSAGE = gettext_lazy(
    "This server is cancelled: nothing can be ordered or installed on it any more."
)


@dataclass(kw_only=True)
class Command(ABC):
    actor: Actor
    server: Any  # a MirroredServer
    key: str = ""  # the idempotency key: a form's, an API request's, a schedule slot's

    permission: ClassVar[str]  # the key the actor must hold on the server
    action: ClassVar[str]  # what the audit log calls it ("power.reboot")
    # Refused on a cancelled server (billable or pointless there); a cancelled server
    # that still runs can be rebooted, renamed and so on.
    refused_when_cancelled: ClassVar[bool] = False
    not_supported: ClassVar[str] = ""  # the words when the provider cannot do it here

    def initiator_id(self) -> int | None:
        """A user who may run this without `permission` (see grants.access.holds)."""
        return None

    def details(self) -> dict:
        """Facts for the audit entry (never secrets); asked after the command ran."""
        return {}

    def refusal(self) -> Outcome | None:
        """What the server's state says against this command, before anything is sent."""
        status = self.server.status
        if status == "suspended":
            return refused(SUSPENDED_MESSAGE)
        if status == "cancelled" and self.refused_when_cancelled:
            return refused(CANCELLED_MESSAGE)
        if self.action in self.server.unsupported:
            # The provider answered 405 to this before: it is not asked again.
            return refused(self.not_supported, not_supported=True)
        return None


@dataclass(kw_only=True)
class UpstreamCall(Command):
    """One call, made once per key; one of a `scope` at a time per server."""

    scope: ClassVar[str]

    def fingerprint(self) -> str:
        """Tells an identical press (from another tab) apart from a different one."""
        return ""

    def cooldown(self) -> int:
        """Seconds before the scope may be used again on this server."""
        return 0

    @abstractmethod
    def call(self, client):
        """The one upstream call; its return value goes to `succeeded`."""

    @abstractmethod
    def done(self) -> str:
        """The words on success."""

    def succeeded(self, outcome: Outcome, value) -> None:
        """Local state after success; may set outcome.data / outcome.secret from `value`."""

    def remember_not_supported(self) -> None:
        """The provider answered 405: remember it on the server (see `refusal`)."""


@dataclass(kw_only=True)
class StartOperation(Command):
    """A long operation of `kind` (panel.operations.kinds) with this input."""

    kind: ClassVar[str]

    @property
    def permission(self) -> str:
        # The kind's key: the one its task checks again before the write.
        return KINDS[self.kind].key

    @property
    def action(self) -> str:
        return f"{self.kind}.requested"

    @abstractmethod
    def input(self) -> dict:
        """The operation's validated input, as stored on its row (never a secret)."""

    def details(self) -> dict:
        return self.input()

    def started(self, op) -> None:
        """After a new operation was queued (not on a replay)."""


@dataclass(kw_only=True)
class LocalChange(Command):
    """A change to the panel's own records; no idempotency key (it is safe to repeat)."""

    @abstractmethod
    def apply(self) -> Outcome:
        """Make the change (after the executor's checks) and say how it went."""
