"""The server page's actions, each one call to Terrahost through the action pattern
(panel.core.actions.perform: idempotency, one at a time, audit, plain words)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.core.actions import Outcome, perform

from .models import MirroredServer

# action -> (client method, audit name, message when sent, message for a 405, power goal)
POWER = {
    "reboot": (
        "reboot",
        "power.reboot",
        gettext_lazy("The server is rebooting. This usually takes a minute or two."),
        gettext_lazy("This server cannot be rebooted from the panel."),
        "on",
    ),
    "off": (
        "power_off",
        "power.off",
        gettext_lazy("The server is powering off."),
        gettext_lazy("This server cannot be powered on or off from the panel."),
        "off",
    ),
    "on": (
        "power_on",
        "power.on",
        gettext_lazy("The server is powering on."),
        gettext_lazy("This server cannot be powered on or off from the panel."),
        "on",
    ),
}


def power(request, row: MirroredServer, action: str, key: str) -> Outcome:
    """Reboot, power off or power on. A 405 from Terrahost removes the button for good."""
    method, audit_name, done, not_supported, _goal = POWER[action]
    outcome = perform(
        request,
        row,
        audit_name,
        key,
        lambda client: getattr(client.servers, method)(row.srv_id),
        done=done,
        scope="power",
        fingerprint=action,
        cooldown=settings.PANEL_POWER_COOLDOWN,
        not_supported=not_supported,
    )
    if outcome.data.get("not_supported") and audit_name not in row.unsupported:
        # Live KVM VPSes answer 405 to power on/off while reboot works.
        unsupported = [audit_name] if action == "reboot" else ["power.on", "power.off"]
        row.unsupported = sorted(set(row.unsupported) | set(unsupported))
        row.save(update_fields=["unsupported"])
    return outcome


def open_console(request, row: MirroredServer, key: str) -> Outcome:
    """POST /ipmi: the session's address, username and password (3 hours). The password
    is in `outcome.secret` only: never stored, cached, logged or audited."""

    def keep(outcome: Outcome, session) -> None:
        outcome.secret = session
        outcome.data["address"] = session.ip_address

    return perform(
        request,
        row,
        "console.open",
        key,
        lambda client: client.servers.ipmi_session(row.srv_id),
        done=_("The console is open."),
        scope="console",
        fingerprint="open",
        not_supported=_("This server has no console that the panel can open."),
        after=keep,
    )


def rename(request, row: MirroredServer, name: str, key: str) -> Outcome:
    old = row.display_name

    def renamed(outcome: Outcome, _message) -> None:
        row.changed(name=name, display_name=name or row.label or row.hostname)
        outcome.data["name"] = name

    return perform(
        request,
        row,
        "server.rename",
        key,
        lambda client: client.servers.rename(row.srv_id, name),
        done=_("The server is now called “%(name)s”.") % {"name": name},
        scope="rename",
        fingerprint=name,
        details={"old": old, "new": name},
        after=renamed,
    )


def set_reverse_dns(
    request, row: MirroredServer, *, address: str, ip_id=None, sub_id=None, value: str, key: str
) -> Outcome:
    """PTR of one IPv4 address (`ip_id`) or NS delegation of one IPv6 subnet (`sub_id`)."""
    if ip_id is not None:
        call = lambda client: client.reverse_dns.set_ipv4(row.srv_id, ip_id, value)  # noqa: E731
        done = _("The reverse DNS of %(address)s is now %(value)s.") % {
            "address": address,
            "value": value,
        }
    else:
        call = lambda client: client.reverse_dns.set_ipv6(row.srv_id, sub_id, value)  # noqa: E731
        done = _("The name servers of %(address)s are now %(value)s.") % {
            "address": address,
            "value": value,
        }
    return perform(
        request,
        row,
        "rdns.update",
        key,
        call,
        done=done,
        scope=f"rdns:{address}",
        fingerprint=value,
        details={"address": address, "hostname": value},
        after=lambda outcome, _message: outcome.data.update(value=value),
    )
