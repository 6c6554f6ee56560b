"""A stateful, in-memory fake of Terrahost API v3, for tests and demos.

    from terrahost_client.sandbox import SandboxApp, mount
    app = SandboxApp(seed=1, servers=8, token_lifetime=3600)
    mount(session, app, "http://sandbox.test")   # base URL: http://sandbox.test/api/v3

Or over HTTP: `python -m terrahost_client.sandbox --port 8765`.
"""

from .app import DropConnection, SandboxApp
from .constants import (
    DEFAULT_PER_PAGE,
    IPMI_SESSION_LIFETIME,
    IPV4_DELAY,
    ISO_DELAY,
    MAX_PER_PAGE,
    POWER_DELAY,
    REBOOT_DELAY,
    REBOOT_DOWN_DELAY,
    REINSTALL_DELAY,
    SNAPSHOT_DELAY,
    TOTP_SECRET,
    UPGRADE_DELAY,
)
from .totp import totp_code
from .transport import SandboxAdapter, mount

__all__ = [
    "DEFAULT_PER_PAGE",
    "IPMI_SESSION_LIFETIME",
    "IPV4_DELAY",
    "ISO_DELAY",
    "MAX_PER_PAGE",
    "POWER_DELAY",
    "REBOOT_DELAY",
    "REBOOT_DOWN_DELAY",
    "REINSTALL_DELAY",
    "SNAPSHOT_DELAY",
    "TOTP_SECRET",
    "UPGRADE_DELAY",
    "DropConnection",
    "SandboxAdapter",
    "SandboxApp",
    "mount",
    "totp_code",
]
