"""What the order pages read from Terrahost: the upgrade packages a server is offered."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from panel.connections.errors import ConnectionProblem, explain
from panel.connections.services import api
from panel.core.outcomes import Outcome
from panel.operations.models import Operation
from terrahost_client.errors import TerrahostError
from terrahost_client.models import UpgradePackage

# Translated where it is shown (offers()).
NOT_ORDERABLE = gettext_noop(
    "Not offered here: the provider lists this package without an order number, so the "
    "panel cannot order it safely. Contact support to order it."
)
KINDS = ("upgrade", "ipv4_order")


@dataclass(frozen=True)
class Offer:
    """One upgrade package as the page shows it: orderable, or why not."""

    package: UpgradePackage
    reason: str = ""

    @property
    def orderable(self) -> bool:
        return not self.reason

    @property
    def ram_gb(self) -> Decimal | None:
        ram = self.package.ram_mb
        return (Decimal(ram) / 1024).normalize() if ram else None


def offers(row) -> tuple[list[Offer], Outcome | None]:
    """The server's upgrade packages, each with why it cannot be ordered (if so), or
    ([], the problem in plain words)."""
    try:
        with api(row.connection) as client:
            packages = client.upgrades.list(row.srv_id)
    except (TerrahostError, ConnectionProblem) as error:
        return [], explain(error, write=False)
    return [Offer(p, "" if p.id is not None else _(NOT_ORDERABLE)) for p in packages], None


def pick(offers_: list[Offer], value) -> Offer | None:
    """The orderable offer whose package id is `value` (a string from the form)."""
    return next((o for o in offers_ if o.orderable and str(o.package.id) == str(value or "")), None)


def recent(row, kinds) -> list[Operation]:
    """The newest operations of these kinds on the server that nobody dismissed."""
    return list(Operation.objects.filter(server=row, kind__in=kinds, dismissed=False)[:3])


def busy(operations: list[Operation]) -> bool:
    return any(op.is_active for op in operations)


def disk_total(server) -> Decimal | None:
    sizes = [d.size_gb for d in server.disks if d.size_gb is not None]
    return sum(sizes, Decimal(0)).normalize() if sizes else None
