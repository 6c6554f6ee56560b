"""Permission keys (one per thing the Terrahost API can do) and the presets."""

from __future__ import annotations

# key -> what it lets a user do, in plain words
KEYS: dict[str, str] = {
    "server.view": "See the server and its details",
    "server.rename": "Rename the server",
    "power.control": "Reboot, power on and power off",
    "console.open": "Open the KVM/IPMI console",
    "graphs.view": "See bandwidth and packet graphs",
    "rdns.edit": "Edit reverse DNS",
    "snapshot.view": "See snapshots",
    "snapshot.manage": "Create and delete snapshots",
    "reinstall": "Reinstall the operating system",
    "password.reveal": "Reveal a new root password after a reinstall",
    "iso.manage": "Upload and mount ISO images",
    "upgrade.order": "Order upgrades (billable)",
    "ip.order": "Order extra IP addresses (billable)",
    "billing.view": "See order and billing details",
}
ALL_KEYS: frozenset[str] = frozenset(KEYS)

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
PRESET_LABELS = {"viewer": "Viewer", "operator": "Operator", "manager": "Manager"}
PRESET_HELP = {
    "viewer": "Looks, changes nothing.",
    "operator": "Runs the server day to day; no reinstall, nothing billable.",
    "manager": "Everything, including reinstall and orders that cost money.",
}

# How the permissions are shown to people: grouped, in plain words, never as raw keys.
GROUPS: dict[str, tuple[str, ...]] = {
    "See": ("server.view", "graphs.view", "snapshot.view"),
    "Operate": ("power.control", "console.open"),
    "Change": (
        "server.rename",
        "rdns.edit",
        "snapshot.manage",
        "iso.manage",
        "reinstall",
        "password.reveal",
    ),
    "Billing": ("billing.view", "upgrade.order", "ip.order"),
}
assert sorted(key for keys in GROUPS.values() for key in keys) == sorted(KEYS)


def grouped(keys) -> list[tuple[str, list[str]]]:
    """[(group, [plain description, ...]), ...] for the groups these keys touch."""
    keys = set(keys)
    return [
        (group, [KEYS[key] for key in members if key in keys])
        for group, members in GROUPS.items()
        if keys & set(members)
    ]


def preset_of(keys) -> str | None:
    """The preset with exactly these keys, if any."""
    wanted = set(keys) | {"server.view"}
    for name, preset in PRESETS.items():
        if set(preset) == wanted:
            return name
    return None


def summary(keys) -> str:
    """A few words for a set of keys: the preset's name, or how many permissions."""
    preset = preset_of(keys)
    if preset:
        return PRESET_LABELS[preset]
    count = len(set(keys) & ALL_KEYS)
    return f"Custom: {count} permission{'s' if count != 1 else ''}"


def normalize(keys) -> list[str]:
    """Known keys only, in the canonical order; every grant includes server.view."""
    wanted = set(keys) | {"server.view"}
    unknown = wanted - ALL_KEYS
    if unknown:
        raise ValueError(f"Unknown permission keys: {', '.join(sorted(unknown))}")
    return [key for key in KEYS if key in wanted]
