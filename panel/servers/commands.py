"""The server page's commands, each one call to Terrahost (panel.commands: the executor
checks access, state, keys and cooldowns, makes the call once and audits it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.commands.base import UpstreamCall
from panel.core import events

from . import power


class PowerAction(NamedTuple):
    method: str  # the client's method
    action: str  # the audit log's name
    done: Promise  # the words once Terrahost took it
    not_supported: Promise  # the words for a 405
    goal: str  # the power state the server settles in


POWER = {
    "reboot": PowerAction(
        "reboot",
        "power.reboot",
        gettext_lazy("The server is rebooting. This usually takes a minute or two."),
        gettext_lazy("This server cannot be rebooted from the panel."),
        "on",
    ),
    "off": PowerAction(
        "power_off",
        "power.off",
        gettext_lazy("The server is powering off."),
        gettext_lazy("This server cannot be powered on or off from the panel."),
        "off",
    ),
    "on": PowerAction(
        "power_on",
        "power.on",
        gettext_lazy("The server is powering on."),
        gettext_lazy("This server cannot be powered on or off from the panel."),
        "on",
    ),
}


@dataclass(kw_only=True)
class Power(UpstreamCall):
    """Reboot, power off or power on. A 405 from Terrahost removes the button for good."""

    power: str  # a key of POWER

    permission = "power.control"
    scope = "power"

    @property
    def spec(self) -> PowerAction:
        return POWER[self.power]

    @property
    def action(self) -> str:
        return self.spec.action

    @property
    def not_supported(self) -> str:
        return str(self.spec.not_supported)

    def fingerprint(self) -> str:
        return self.power

    def cooldown(self) -> int:
        return settings.PANEL_POWER_COOLDOWN

    def call(self, client):
        return getattr(client.servers, self.spec.method)(self.server.srv_id)

    def done(self) -> str:
        return str(self.spec.done)

    def succeeded(self, outcome, value) -> None:
        power.follow(self.server, self.spec.goal)

    def remember_not_supported(self) -> None:
        row = self.server
        # Live KVM VPSes answer 405 to power on/off while reboot works.
        unsupported = ["power.reboot"] if self.power == "reboot" else ["power.on", "power.off"]
        row.unsupported = sorted(set(row.unsupported) | set(unsupported))
        row.save(update_fields=["unsupported"])


@dataclass(kw_only=True)
class OpenConsole(UpstreamCall):
    """POST /ipmi: the session's address, username and password (3 hours). The password
    is in `outcome.secret` only: never stored, cached, logged or audited."""

    permission = "console.open"
    action = "console.open"
    scope = "console"
    not_supported = gettext_lazy("This server has no console that the panel can open.")

    def fingerprint(self) -> str:
        return "open"

    def call(self, client):
        return client.servers.ipmi_session(self.server.srv_id)

    def done(self) -> str:
        return _("The console is open.")

    def succeeded(self, outcome, session) -> None:
        outcome.secret = session
        outcome.data["address"] = session.ip_address


@dataclass(kw_only=True)
class Rename(UpstreamCall):
    name: str

    permission = "server.rename"
    action = "server.rename"
    scope = "rename"

    def __post_init__(self):
        self.old = self.server.display_name

    def fingerprint(self) -> str:
        return self.name

    def details(self) -> dict:
        return {"old": self.old, "new": self.name}

    def call(self, client):
        return client.servers.rename(self.server.srv_id, self.name)

    def done(self) -> str:
        return _("The server is now called “%(name)s”.") % {"name": self.name}

    def succeeded(self, outcome, _message) -> None:
        row = self.server
        row.changed(name=self.name, display_name=self.name or row.label or row.hostname)
        outcome.data["name"] = self.name
        events.announce(
            "server.renamed",
            {"server": events.server_facts(row), "previous_name": self.old},
            customer_id=row.customer_id,
        )


@dataclass(kw_only=True)
class SetReverseDNS(UpstreamCall):
    """PTR of one IPv4 address (`ip_id`) or NS delegation of one IPv6 subnet (`sub_id`)."""

    address: str  # what people read: the address or the subnet
    value: str
    ip_id: int | None = None
    sub_id: int | None = None

    permission = "rdns.edit"
    action = "rdns.update"

    @property
    def scope(self) -> str:
        return f"rdns:{self.address}"

    def fingerprint(self) -> str:
        return self.value

    def details(self) -> dict:
        return {"address": self.address, "hostname": self.value}

    def call(self, client):
        srv_id = self.server.srv_id
        if self.ip_id is not None:
            return client.reverse_dns.set_ipv4(srv_id, self.ip_id, self.value)
        return client.reverse_dns.set_ipv6(srv_id, self.sub_id, self.value)

    def done(self) -> str:
        values = {"address": self.address, "value": self.value}
        if self.ip_id is not None:
            return _("The reverse DNS of %(address)s is now %(value)s.") % values
        return _("The name servers of %(address)s are now %(value)s.") % values

    def succeeded(self, outcome, _message) -> None:
        outcome.data["value"] = self.value
