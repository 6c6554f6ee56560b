"""Billable orders as long operations: an upgrade package and an extra IPv4 address.

Neither answer says when the work is done, nor (for IPv4) what was delivered: both are
followed by reading the server record until it shows the change.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.operations.kinds import Check, Kind, register
from panel.servers import mirror
from terrahost_client._convert import to_bool

from .upstream import in_their_words, read_before, remember

# --- upgrade ---------------------------------------------------------------------------------


def send_upgrade(client, op) -> dict:
    in_their_words(lambda: client.upgrades.order(op.srv_id, op.input["pkg_id"]))
    return {}


def matches_package(server, asked: dict) -> bool:
    """The server record shows the package's cores, memory and disk (what is known of them)."""
    if asked.get("cores") is not None and server.cores != asked["cores"]:
        return False
    ram_gb = server.ram_gb
    if asked.get("ram_mb") is not None and (
        ram_gb is None or int(ram_gb * 1024) != asked["ram_mb"]
    ):
        return False
    if asked.get("disk_gb") is not None:
        wanted = Decimal(asked["disk_gb"])
        if not any(disk.size_gb == wanted for disk in server.disks):
            return False
    return True


def check_upgrade(client, op) -> Check:
    server = client.servers.get(op.srv_id)
    upgrading = to_bool(server.raw.get("srv_status_upgrade"))
    if not upgrading and matches_package(server, op.input):
        _changed(op, server)
        package = op.input.get("name", "")
        summary = ""
        if package:
            summary = _("The server now has the %(package)s package.") % {"package": package}
        return Check(done=True, result={"package": package, "summary": summary})
    name = op.input.get("name")
    progress = (
        _("Upgrading to %(package)s: this usually takes a few minutes…") % {"package": name}
        if name
        else _("Upgrading to the new package: this usually takes a few minutes…")
    )
    return Check(seen=upgrading or matches_package(server, op.input), progress=progress)


# --- extra IPv4 ------------------------------------------------------------------------------


def _ipv4(server) -> list[str]:
    return [ip.address for ip in server.ips if ip.version == 4 and ip.address]


def send_ipv4(client, op) -> dict:
    # The order's answer never carries the address (API notes): the check looks for an
    # address that was not there before.
    server = read_before(lambda: client.servers.get(op.srv_id))
    remember(op, before=_ipv4(server))
    in_their_words(lambda: client.ips.order_ipv4(op.srv_id, op.input["ip_type"]))
    return {}


def check_ipv4(client, op) -> Check:
    before = op.result.get("before")
    waiting = Check(
        seen=False,
        progress=_(
            "Ordered. The new address appears on the server after a while; "
            "this page shows it when it does…"
        ),
    )
    if before is None:  # never sent (see read_before): nothing to look for
        return waiting
    server = client.servers.get(op.srv_id)
    new = [address for address in _ipv4(server) if address not in before]
    if new:
        _changed(op, server)
        summary = _("%(address)s is now yours.") % {"address": new[0]}
        return Check(done=True, result={"address": new[0], "summary": summary})
    return waiting


def _changed(op, server) -> None:
    if op.server is not None:
        op.server.changed()
        mirror.update_row(op.server, server)


register(
    Kind(
        name="upgrade",
        key="upgrade.order",
        label=gettext_lazy("Upgrade"),
        send=send_upgrade,
        check=check_upgrade,
        started=gettext_lazy("The upgrade was ordered; the provider is carrying it out…"),
        first_check=3.0,
        longest_pause=10.0,
        give_up_after=2 * 3600,
    )
)
register(
    Kind(
        name="ipv4_order",
        key="ip.order",
        label=gettext_lazy("IPv4 order"),
        send=send_ipv4,
        check=check_ipv4,
        started=gettext_lazy("The address was ordered; it appears on the server after a while…"),
        first_check=3.0,
        longest_pause=15.0,
        give_up_after=4 * 3600,
    )
)
