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
PRESET_LABELS = {"viewer": "Viewer", "operator": "Operator", "manager": "Manager (all keys)"}


def normalize(keys) -> list[str]:
    """Known keys only, in the canonical order; every grant includes server.view."""
    wanted = set(keys) | {"server.view"}
    unknown = wanted - ALL_KEYS
    if unknown:
        raise ValueError(f"Unknown permission keys: {', '.join(sorted(unknown))}")
    return [key for key in KEYS if key in wanted]
