"""Permission keys (one per thing the Terrahost API can do) and the presets.

The keys, preset names ("viewer") and group ids ("see") are identifiers and never
translated; what people read (descriptions, labels) is, where it is shown: description(),
grouped(), summary(), PRESET_LABELS, PRESET_HELP, GROUP_LABELS.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

# key -> what it lets a user do, in plain words (English here: see description()).
KEYS: dict[str, str] = {
    "server.view": gettext_noop("See the server and its details"),
    "server.rename": gettext_noop("Rename the server"),
    "power.control": gettext_noop("Reboot, power on and power off"),
    "console.open": gettext_noop("Open the KVM/IPMI console"),
    "graphs.view": gettext_noop("See bandwidth and packet graphs"),
    "rdns.edit": gettext_noop("Edit reverse DNS"),
    "snapshot.view": gettext_noop("See snapshots"),
    "snapshot.manage": gettext_noop("Create and delete snapshots"),
    "reinstall": gettext_noop("Reinstall the operating system"),
    "password.reveal": gettext_noop("Reveal a new root password after a reinstall"),
    "iso.manage": gettext_noop("Upload and mount ISO images"),
    "upgrade.order": gettext_noop("Order upgrades (billable)"),
    "ip.order": gettext_noop("Order extra IP addresses (billable)"),
    "billing.view": gettext_noop(
        "See the provider account: orders, invoices and prices (on a whole connection only)"
    ),
}
ALL_KEYS: frozenset[str] = frozenset(KEYS)
# The provider account's own data (its orders, invoices and prices): the reseller's staff
# only, never a customer's people, whatever their customer's ceiling says.
ACCOUNT_KEYS: frozenset[str] = frozenset({"billing.view"})

PRESETS: dict[str, tuple[str, ...]] = {
    "viewer": ("server.view", "graphs.view", "snapshot.view"),
    "operator": (
        "server.view",
        "server.rename",
        "power.control",
        "console.open",
        "graphs.view",
        "rdns.edit",
        "snapshot.view",
        "snapshot.manage",
    ),
    "manager": tuple(KEYS),
}
PRESET_LABELS = {
    "viewer": pgettext_lazy("access preset", "Viewer"),
    "operator": pgettext_lazy("access preset", "Operator"),
    "manager": pgettext_lazy("access preset", "Manager"),
}
PRESET_HELP = {
    "viewer": _("Looks, changes nothing."),
    "operator": _("Runs the server day to day; no reinstall, nothing billable."),
    "manager": _("Everything, including reinstall and orders that cost money."),
}

# How the permissions are shown to people: grouped, in plain words, never as raw keys.
GROUPS: dict[str, tuple[str, ...]] = {
    "see": ("server.view", "graphs.view", "snapshot.view"),
    "operate": ("power.control", "console.open"),
    "change": (
        "server.rename",
        "rdns.edit",
        "snapshot.manage",
        "iso.manage",
        "reinstall",
        "password.reveal",
    ),
    "billing": ("billing.view", "upgrade.order", "ip.order"),
}
GROUP_LABELS = {
    "see": pgettext_lazy("permission group", "See"),
    "operate": pgettext_lazy("permission group", "Operate"),
    "change": pgettext_lazy("permission group", "Change"),
    "billing": pgettext_lazy("permission group", "Billing"),
}
assert sorted(key for keys in GROUPS.values() for key in keys) == sorted(KEYS)
assert set(GROUP_LABELS) == set(GROUPS)


def description(key: str) -> str:
    """What `key` lets a user do, in plain words in the active language."""
    return gettext(KEYS[key])


def grouped(keys) -> list[tuple[str, list[str]]]:
    """[(group, [plain description, ...]), ...] for the groups these keys touch."""
    keys = set(keys)
    return [
        (str(GROUP_LABELS[group]), [description(key) for key in members if key in keys])
        for group, members in GROUPS.items()
        if keys & set(members)
    ]


def checkboxes(ticked, offered=ALL_KEYS) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    """[(group, [(key, description, ticked), ...]), ...]: the `offered` keys, for
    checkboxes."""
    ticked = set(ticked or [])
    return [
        (
            str(GROUP_LABELS[group]),
            [(key, description(key), key in ticked) for key in members if key in offered],
        )
        for group, members in GROUPS.items()
        if set(members) & offered
    ]


def preset_of(keys) -> str | None:
    """The preset with exactly these keys, if any (the account's keys aside: a Manager
    grant on one server is Manager without them)."""
    wanted = (set(keys) | {"server.view"}) - ACCOUNT_KEYS
    for name, preset in PRESETS.items():
        if set(preset) - ACCOUNT_KEYS == wanted:
            return name
    return None


def summary(keys) -> str:
    """A few words for a set of keys: the preset's name, or how many permissions."""
    preset = preset_of(keys)
    if preset:
        return str(PRESET_LABELS[preset])
    count = len(set(keys) & ALL_KEYS)
    return ngettext("Custom: %(count)d permission", "Custom: %(count)d permissions", count) % {
        "count": count
    }


def normalize(keys) -> list[str]:
    """Known keys only, in the canonical order; every grant includes server.view."""
    wanted = set(keys) | {"server.view"}
    unknown = wanted - ALL_KEYS
    if unknown:
        raise ValueError(f"Unknown permission keys: {', '.join(sorted(unknown))}")
    return [key for key in KEYS if key in wanted]
