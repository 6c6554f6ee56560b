"""Tunable numbers of the sandbox, in one place so tests and demos can use them.

Delays are in simulated seconds: they pass with the wall clock, and
`SandboxApp.advance()` / `POST /_sandbox/clock` skip ahead.
"""

API_PREFIX = "/api/v3"
CONTROL_PREFIX = "/_sandbox"

# Power: on/off take effect after POWER_DELAY. A reboot marks the server
# rebooting at once, drops it to "off" after REBOOT_DOWN_DELAY and brings it
# back on after REBOOT_DELAY.
POWER_DELAY = 5
REBOOT_DOWN_DELAY = 2
REBOOT_DELAY = 10

SNAPSHOT_DELAY = 30  # pending -> completed
REINSTALL_DELAY = 180  # srv_status_install true -> new OS and hostname
ISO_DELAY = 60  # uploading -> ready
UPGRADE_DELAY = 60  # srv_status_upgrade true -> new cores/RAM/disk
IPV4_DELAY = 30  # order accepted -> the address shows up on the server
IPMI_SESSION_LIFETIME = 3 * 3600  # "Sessions are valid for 3 hours at a time."

DEFAULT_SEED = 1
DEFAULT_SERVERS = 8
DEFAULT_TOKEN_LIFETIME = 3600
MAX_TOKEN_LIFETIME = 10 * 365 * 86400
DEMO_2FA_SERVERS = 3

TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - the documented demo secret

# GET /servers: the page size of the recorded live listing (meta.per_page 100). Whether the
# live API honours a larger `per_page`, and up to what, is unknown (no public client sends
# one), so by default the sandbox answers at most this many a page, whatever is asked: the
# client must cope with that. `max_per_page` / --max-per-page plays an API that goes higher.
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 100

MAX_SNAPSHOTS = 3  # per server
SNAPSHOT_NAME_MAX = 64
SERVER_NAME_MAX = 100
MAX_ISOS = 50  # per customer (there is no delete endpoint, so keep it roomy)
MAX_EXTRA_IPV4 = 8  # per server
MAX_BODY_BYTES = 1_000_000
MAX_ADVANCE = 10 * 365 * 86400  # per call of advance()

DEFAULT_TIMEOUT_HOLD_SECONDS = 30.0
DEFAULT_RETRY_AFTER = 1
