"""The sandbox's in-memory world: accounts, servers, tokens and a simulated clock.

Everything here is plain data plus a few helpers. HTTP lives in `api.py`; the
caller (`SandboxApp`) holds one lock around every use of a `State`.

Time: the simulated clock is the wall clock plus an offset that only grows
(`advance`). Delayed effects (a reboot finishing, a snapshot completing) are
events in a heap, applied in due order by `tick()` before each request, so the
world looks the same whether time passed for real or was skipped.
"""

import heapq
import itertools
import time
from dataclasses import dataclass, field
from random import Random

from .constants import DEFAULT_TOKEN_LIFETIME, MAX_PER_PAGE


class Clock:
    def __init__(self):
        self.offset = 0.0

    def now(self):
        return time.time() + self.offset

    def advance(self, seconds):
        self.offset += seconds


@dataclass(eq=False)
class Ip:
    ip_id: int
    sub_id: int
    version: int  # 4 or 6
    address: str
    reverse: str
    type: str  # primary, extra, management
    netmask: str
    gateway: str
    routed_to: int = 0


@dataclass(eq=False)
class Subnet:
    sub_id: int
    parent_id: int
    network: str
    prefix: int
    gateway: str
    location: str
    vlan: str
    nameservers: list = field(default_factory=list)
    routed_to: int = 0

    @property
    def cidr(self):
        return f"{self.network}/{self.prefix}"


@dataclass(eq=False)
class Disk:
    hdd_id: int
    manufacturer: str
    model: str
    type: str
    size: str  # GB, as the API shows it ("20", "0.5")
    used: str = "0"
    serial: str = ""


@dataclass(eq=False)
class Cpu:
    cpu_id: int
    manufacturer: str
    name: str
    speed: str  # MHz


@dataclass(eq=False)
class Snapshot:
    snap_id: int
    srv_id: int
    name: str  # internal name, e.g. "Asdf1234"
    display_name: str
    time: int
    state: str  # pending, completed


@dataclass(eq=False)
class Iso:
    iso_id: int
    cust_id: str
    url: str
    name: str
    final_size: int
    started: float
    ready: bool
    hash: str = ""


@dataclass(eq=False)
class Server:
    srv_id: int
    cust_id: str
    kind: str  # vps, dedicated (colocation boxes are dedicated with colocation=True)
    name: str  # srv_name: the customer's own name ("web-01"); PUT /name changes it
    label: str  # srv_label: the provider's label ("srv3523.terrahost.no")
    hostname: str
    location: str
    created: int
    cores: int
    ram: object  # GB: int, or float for the fractional colocation box
    disk_gb: int
    os_id: int
    colocation: bool = False
    pkg_id: int = 0
    product_id: int = 0
    product_name: str = ""
    price: str = "0.00"
    powered: bool = True
    rebooting: bool = False
    # Power actions: the latest one supersedes pending events of earlier ones.
    # power_target is where the latest action ends (None: nothing pending).
    power_generation: int = 0
    power_target: bool | None = None
    installing: bool = False
    install_stalled: bool = False
    install_generation: int = 0  # so a superseded install's completion is ignored
    # {"root_password": ...} while an install runs, when the app serves the password in
    # the server record instead of the reinstall answer (root_password_in_server_record)
    install_details: dict | None = None
    upgrading: bool = False
    suspended: bool = False
    suspended_date: int = 0
    iso_id: int = 0
    pending_ipv4: int = 0  # ordered, not delivered yet
    # capabilities
    mgmt: bool = False
    mgmt_type: str = ""
    snapshot_feature: bool = False
    firewall: bool = True
    power_toggle_405: bool = False  # the live quirk: power on/off 405, reboot works
    # how this server's JSON is shaped (the API is inconsistent on purpose)
    powerstate_top_level: bool = False
    graph_data_uri: bool = False
    bool_style: str = "bool"  # "str" ("0"/"1"), "int" (0/1) or "bool"
    created_as_int: bool = False
    upgrade_style: str = "pkg"  # "pkg" (docs) or "product" (no pkg_id, rate_monthly)
    minimal_order: bool = False  # order is {"order_billing_date": null}, as recorded
    # hardware and the rest
    manufacturer: str = ""
    model: str = ""
    motherboard: str = ""
    ram_type: str = ""
    ram_sticks: str = "0"
    node: str = ""
    pmx_id: int = 0
    nic_id: int = 0
    nic_mac: str = ""
    serverkey: str = ""
    bw_used: float = 0
    bw_p95: str = "0.00"
    ips: list = field(default_factory=list)
    subnets: list = field(default_factory=list)
    disks: list = field(default_factory=list)
    cpus: list = field(default_factory=list)
    snapshots: dict = field(default_factory=dict)  # snap_id -> Snapshot
    order: dict = field(default_factory=dict)
    ipmi: dict | None = None
    activity: list = field(default_factory=list)
    row_json: str | None = None  # cached list row, cleared by touch()

    def touch(self):
        """Forget the cached list row: call after every change."""
        self.row_json = None

    @property
    def power_intended(self):
        """The state the server ends in: the latest action's target, else the current one."""
        return self.powered if self.power_target is None else self.power_target

    @property
    def is_vps(self):
        return self.kind == "vps"

    @property
    def primary_ip(self):
        for ip in self.ips:
            if ip.type == "primary" and ip.version == 4:
                return ip
        return None


@dataclass(eq=False)
class Account:
    username: str
    password: str
    cust_id: str
    totp_secret: str | None
    profile: dict
    contacts: list
    invoices: list
    isos: dict = field(default_factory=dict)  # iso_id -> Iso
    server_ids: list = field(default_factory=list)  # listing order


@dataclass(eq=False)
class Token:
    token: str
    username: str
    issued: float
    expires: float


class Ipv4Pool:
    """Hands out IPv4 addresses from documentation-like ranges, in order.

    First the three TEST-NETs (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24),
    then the benchmarking block 198.18.0.0/15 (RFC 2544, also never routed) in
    /24 steps. Hosts .10-.249 of each /24 are handed out; .1 is the gateway and
    .250+ are reserved for KVM endpoints. If even that runs out (about 127,000
    addresses) the pool wraps around and reuses addresses: ip_ids stay unique.
    """

    FIRST_HOST = 10
    LAST_HOST = 249
    SUBNET_ID_BASE = 400

    def __init__(self):
        self.blocks = ["192.0.2", "198.51.100", "203.0.113"]
        self.blocks += [f"198.{18 + i // 256}.{i % 256}" for i in range(512)]
        self.position = 0

    def take(self):
        """Return (address, gateway, sub_id) of the next free address."""
        per_block = self.LAST_HOST - self.FIRST_HOST + 1
        index = self.position % (per_block * len(self.blocks))
        self.position += 1
        block, host = divmod(index, per_block)
        prefix = self.blocks[block]
        return f"{prefix}.{self.FIRST_HOST + host}", f"{prefix}.1", self.SUBNET_ID_BASE + block


KVM_ENDPOINTS = {
    "DC1": "192.0.2.250",
    "DC2": "198.51.100.250",
    "DC3": "203.0.113.250",
    "DC4": "203.0.113.251",
}


class State:
    """The whole simulated world. Not thread-safe: the app holds a lock."""

    def __init__(
        self,
        seed,
        token_lifetime=DEFAULT_TOKEN_LIFETIME,
        ignore_page=False,
        root_password_in_server_record=False,
        max_per_page=MAX_PER_PAGE,
    ):
        self.seed = seed
        self.token_lifetime = token_lifetime
        # Ways live accounts may differ from the docs, or where the docs say nothing (see
        # SandboxApp).
        self.ignore_page = ignore_page
        self.root_password_in_server_record = root_password_in_server_record
        self.max_per_page = max_per_page
        self.clock = Clock()
        # Separate streams so that, say, generating a password never shifts the
        # seeded data, and the same calls give the same answers run after run.
        self.rng = Random(f"{seed}:runtime")
        self.accounts = {}  # username -> Account
        self.servers = {}  # srv_id -> Server
        self.tokens = {}  # token -> Token
        self.hidden = {}  # srv_id -> simulated time until which it is hidden
        self.pool = Ipv4Pool()
        self.graph_cache = {}  # (srv_id, kind) -> graphs; images never change
        self._events = []
        self._sequence = itertools.count()
        self._ids = {}

    # --- time -------------------------------------------------------------

    def now(self):
        return self.clock.now()

    def schedule(self, delay, action):
        """Run action(due_time) once the simulated clock reaches now + delay."""
        due = self.now() + delay
        heapq.heappush(self._events, (due, next(self._sequence), action))

    def tick(self):
        """Apply every event that is due, oldest first."""
        now = self.now()
        while self._events and self._events[0][0] <= now:
            due, _, action = heapq.heappop(self._events)
            action(due)

    def advance(self, seconds):
        self.clock.advance(seconds)
        self.tick()

    def pending_events(self):
        return len(self._events)

    # --- ids --------------------------------------------------------------

    def next_id(self, kind, start):
        """Sequential ids per kind (ip, snapshot, iso, ...), starting at `start`."""
        value = self._ids.get(kind, start)
        self._ids[kind] = value + 1
        return value

    # --- servers ----------------------------------------------------------

    def is_hidden(self, srv_id):
        until = self.hidden.get(srv_id)
        if until is None:
            return False
        if until > self.now():
            return True
        del self.hidden[srv_id]
        return False

    def visible_servers(self, account):
        servers = self.servers
        if not self.hidden:
            return [servers[i] for i in account.server_ids]
        return [servers[i] for i in account.server_ids if not self.is_hidden(i)]

    def log_activity(self, server, text, when=None):
        when = self.now() if when is None else when
        entry = {
            "log_id": str(self.next_id("log", 50692)),
            "log_entry": text,
            "log_timestamp": str(int(when)),
        }
        server.activity.insert(0, entry)
        del server.activity[20:]

    # --- tokens -----------------------------------------------------------

    def issue_token(self, username, revoke_others=False):
        now = self.now()
        if revoke_others:
            for token in self.tokens.values():
                if token.username == username:
                    token.expires = min(token.expires, now)
        if len(self.tokens) > 10_000:
            self._forget_old_tokens(now)
        value = f"{self.rng.getrandbits(160):040x}"
        token = Token(value, username, now, now + self.token_lifetime)
        self.tokens[value] = token
        return token

    def expire_all_tokens(self):
        now = self.now()
        for token in self.tokens.values():
            token.expires = min(token.expires, now)

    def _forget_old_tokens(self, now):
        # Keep expired tokens for a day so that they still answer "expired".
        for value in [v for v, t in self.tokens.items() if t.expires < now - 86400]:
            del self.tokens[value]

    # --- random values ----------------------------------------------------

    def password(self, length=16):
        alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    # --- addresses --------------------------------------------------------

    def add_ipv4(self, server, ip_type, routed_to=0):
        address, gateway, sub_id = self.pool.take()
        reverse = f"static.{address}.customers.terrahost.no"
        if ip_type != "primary":
            reverse = f"static.{address}.terrahost.no"
        ip = Ip(
            ip_id=self.next_id("ip", 7795),
            sub_id=sub_id,
            version=4,
            address=address,
            reverse=reverse,
            type=ip_type,
            netmask="255.255.255.0",
            gateway=gateway,
            routed_to=routed_to,
        )
        server.ips.append(ip)
        server.touch()
        return ip

    def add_ipv6_subnet(self, server):
        number = self.next_id("ipv6-net", 0x190E)
        network = f"2001:db8:{number:x}::"
        subnet = Subnet(
            sub_id=self.next_id("subnet", 2236),
            parent_id=675,
            network=network,
            prefix=48,
            gateway=f"2001:db8:{number:x}::1",
            location=server.location,
            vlan=str(1500 + int(server.location[2:]) * 10),
        )
        server.subnets.append(subnet)
        server.touch()
        return subnet
