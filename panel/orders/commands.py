"""The two billable orders, each a long operation (operation.py): an upgrade package and
an extra IPv4 address. Refused on a cancelled server."""

from __future__ import annotations

from dataclasses import dataclass

from panel.commands.base import StartOperation


@dataclass(kw_only=True)
class OrderUpgrade(StartOperation):
    package: object  # terrahost_client.models.UpgradePackage, an orderable one

    kind = "upgrade"
    refused_when_cancelled = True

    def input(self) -> dict:
        package = self.package
        return {
            "pkg_id": package.id,
            "name": package.name,
            "cores": package.cores,
            "ram_mb": package.ram_mb,
            "disk_gb": str(package.disk_gb) if package.disk_gb is not None else None,
        }


@dataclass(kw_only=True)
class OrderIPv4(StartOperation):
    ip_type: str

    kind = "ipv4_order"
    refused_when_cancelled = True

    def input(self) -> dict:
        return {"ip_type": self.ip_type}
