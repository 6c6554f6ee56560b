"""What each kind of long operation does upstream. Each app registers its kinds:

    register(Kind(name="reinstall", key="reinstall", label=_("Reinstall"), send=..., check=...))

The words people read (`label`, `started`) are given with gettext_lazy (as `_`), so they
are translated where they are used: on a page, or in a task (which activates the language
of the request that started the operation, see tasks.py). The progress, failure and
summary that check() returns are made with gettext while the task runs, in that language.

`succeeded(op)`, if given, runs once when the operation succeeded.

`send(client, op)` makes the ONE upstream write and returns non-secret facts for
`op.result`; it is never called twice for an operation. `check(client, op)` only reads and
says where the work stands (a Check); it runs again and again until done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass
class Check:
    """Where an operation stands, from one read of upstream state.

    `seen`: upstream shows the write took effect (settles an UNKNOWN operation as sent).
    """

    done: bool = False
    seen: bool = True
    progress: str = ""
    failed: str = ""
    result: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    name: str
    key: str  # the permission key the initiator must still hold when the task runs
    label: str | Promise  # what people read: _("Reinstall"), _("Snapshot")
    send: Callable
    check: Callable
    started: str | Promise  # progress once the write is accepted
    first_check: float = 2.0  # seconds before the first check
    longest_pause: float = 5.0  # the pause between checks grows to this
    give_up_after: int = 3600  # seconds after the write: "it did not finish"
    unknown_grace: int = 300  # seconds an UNKNOWN write may take to show up
    # Called once the operation succeeded (e.g. to announce "snapshot.created").
    succeeded: Callable | None = None


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind
