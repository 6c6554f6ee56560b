"""Events the panel announces to the outside world (webhooks), without the announcing app
knowing who listens.

    from panel.core import events
    events.announce("server.renamed", {"server": events.server_facts(row), ...},
                    customer_id=row.customer_id)

`announce` sends the `event` signal once the current transaction commits (at once outside
one), so a rolled-back change announces nothing. The webhooks app listens in its
AppConfig.ready; without a listener nothing happens. `customer_id` is the customer the
event is about (a server's customer, the person's, the customer itself; None: the
reseller's own): customer-scoped listeners get only their own customer's events.

`data` holds facts only (ids, names, states), never a secret: it is sent as it is.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Every event type, and what it means in plain words (the webhook form's choices).
EVENTS = {
    "operation.started": _("A long operation started (reinstall, snapshot, ISO, upgrade, order)"),
    "operation.finished": _("A long operation finished, with its status"),
    "server.status_changed": _("A server's status changed (running, stopped, suspended…)"),
    "server.renamed": _("A server was renamed"),
    "snapshot.created": _("A snapshot was taken"),
    "snapshot.deleted": _("A snapshot was deleted"),
    "customer.suspended": _("A customer was suspended"),
    "customer.reactivated": _("A customer was reactivated"),
    "user.joined": _("A new person joined (created, or by invitation)"),
}

# Sent with type (one of EVENTS), data (a JSON-ready dict), customer_id and at (when it
# happened).
event = Signal()


def announce(type: str, data: dict, *, customer_id: int | None) -> None:
    if type not in EVENTS:
        raise ValueError(f"Unknown event type {type!r}")
    at = timezone.now()
    payload = {"customer_id": customer_id, **data}

    def send():
        event.send(sender=type, type=type, data=payload, customer_id=customer_id, at=at)

    # robust: a listener that fails is logged, never the announcing change's failure.
    transaction.on_commit(send, robust=True)


def server_facts(row) -> dict:
    """What every event about a server says of it (`row`: a MirroredServer)."""
    return {"id": row.pk, "srv_id": row.srv_id, "name": row.display_name}
