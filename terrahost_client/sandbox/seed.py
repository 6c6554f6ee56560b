"""Deterministic initial data: the same seed always builds the same world.

Timestamps in the seed are absolute (2018-2025), not relative to the wall
clock, so two sandboxes with one seed serve identical server data.
"""

import hashlib
import time
from random import Random

from . import catalog
from .constants import DEMO_2FA_SERVERS, TOTP_SECRET
from .state import Account, Cpu, Disk, Ip, Iso, Server, Snapshot, State

CREATED_FROM = 1514764800  # 2018-01-01
CREATED_TO = 1748736000  # 2025-06-01

# The first servers of each account are fixed so every variation is present
# even in a small sandbox. Later servers are drawn at random from the seed.
DEMO_TEMPLATES = (
    {"kind": "vps", "location": "DC2", "name": "web-01", "domain": "example.com", "pkg": 3,
     "os": 102, "snapshots": 2, "extra_ips": 1},
    {"kind": "vps", "location": "DC1", "name": "web-02", "domain": "example.com", "pkg": 4,
     "os": 101, "snapshots": 1, "iso": True},
    {"kind": "vps", "location": "DC2", "name": "db-primary", "domain": "example.com", "pkg": 6,
     "os": 101},
    {"kind": "dedicated", "location": "DC3", "name": "db-replica", "domain": "example.com",
     "model": 0, "os": 116, "extra_ips": 1, "minimal_order": True},
    {"kind": "vps", "location": "DC3", "name": "mail", "domain": "example.net", "pkg": 2,
     "os": 88, "upgrade_style": "product"},
    {"kind": "dedicated", "location": "DC1", "name": "backup-01", "domain": "example.org",
     "model": 1, "os": 101, "extra_ips": 2},
    {"kind": "colocation", "location": "DC2", "name": "colo-01", "domain": "", "os": 81},
    {"kind": "vps", "location": "DC4", "name": "legacy-app", "domain": "example.com", "pkg": 3,
     "os": 72},
)  # fmt: skip

DEMO_2FA_TEMPLATES = (
    {"kind": "vps", "location": "DC1", "name": "vpn", "domain": "example.org", "pkg": 2,
     "os": 101},
    {"kind": "vps", "location": "DC2", "name": "monitor", "domain": "example.org", "pkg": 2,
     "os": 102, "upgrade_style": "product"},
    {"kind": "vps", "location": "DC1", "name": "ci-runner", "domain": "example.org", "pkg": 3,
     "os": 102, "suspended": True},
)  # fmt: skip

ROLES = (
    "web", "app", "api", "db", "cache", "worker", "mail", "dns", "vpn", "monitor", "ci",
    "backup", "lb", "git", "files", "search", "queue", "proxy", "build", "log",
)  # fmt: skip
DOMAINS = ("example.com", "example.net", "example.org")


def build_state(seed, servers, token_lifetime, **modes):
    """`modes`: State's ignore_page, root_password_in_server_record and max_per_page."""
    state = State(seed, token_lifetime, **modes)
    demo = _demo_account()
    demo_2fa = _demo_2fa_account()
    state.accounts = {demo.username: demo, demo_2fa.username: demo_2fa}
    # demo-2fa first, from its own random stream, so its data does not depend
    # on how many servers demo gets.
    _seed_servers(
        state, Random(f"{seed}:demo-2fa"), demo_2fa, DEMO_2FA_SERVERS, 2101, DEMO_2FA_TEMPLATES
    )
    _seed_servers(state, Random(f"{seed}:demo"), demo, servers, 3523, DEMO_TEMPLATES)
    _seed_isos(state, demo, demo_2fa)
    _seed_invoices(Random(f"{seed}:invoices"), demo, count=6)
    _seed_invoices(Random(f"{seed}:invoices-2fa"), demo_2fa, count=2)
    return state


def _seed_servers(state, rng, account, count, first_id, templates):
    srv_id = first_id
    vps_ordinal = 0
    roles = {}
    for index in range(count):
        spec = templates[index] if index < len(templates) else _random_spec(rng, roles)
        server = _make_server(state, rng, account, srv_id, index, vps_ordinal, spec)
        if server.is_vps:
            vps_ordinal += 1
        state.servers[srv_id] = server
        account.server_ids.append(srv_id)
        srv_id += rng.randint(1, 37)


def _random_spec(rng, roles):
    roll = rng.random()
    kind = "vps" if roll < 0.62 else "dedicated" if roll < 0.95 else "colocation"
    role = rng.choice(ROLES)
    roles[role] = roles.get(role, 0) + 1
    spec = {
        "kind": kind,
        "location": rng.choice(catalog.LOCATIONS),
        "name": f"{role}-{roles[role]:02d}",
        "domain": rng.choice(DOMAINS) if rng.random() < 0.9 else "",
        "pkg": rng.choice(catalog.PACKAGES).pkg_id,
        "model": rng.randrange(len(catalog.DEDICATED_MODELS)),
        "suspended": rng.random() < 0.03,
        "powered": rng.random() > 0.08,
        "upgrade_style": "product" if rng.random() < 0.3 else "pkg",
        "snapshots": 1 if rng.random() < 0.2 else 0,
        "extra_ips": rng.choice((0, 0, 0, 1, 2)),
    }
    if kind == "vps":
        spec["os"] = rng.choice(catalog.VPS_OS_CHOICES)
    elif kind == "dedicated":
        spec["os"] = rng.choice(catalog.DEDICATED_OS_CHOICES)
    else:
        spec["os"] = rng.choice((81, 88, 101))
    return spec


def _make_server(state, rng, account, srv_id, index, vps_ordinal, spec):
    kind = spec["kind"]
    # As recorded: srv_name is the customer's own (editable) name, srv_label the
    # provider's "srvNNNN.terrahost.no".
    name = spec["name"]
    label = f"srv{srv_id}.terrahost.no"
    domain = spec["domain"]
    if kind == "colocation":
        hostname = ""  # as recorded: a colocation box has no hostname
    elif domain:
        hostname = f"{name}.{domain}"
    else:
        hostname = label
    server = Server(
        srv_id=srv_id,
        cust_id=account.cust_id,
        kind="vps" if kind == "vps" else "dedicated",
        name=name,
        label=label,
        hostname=hostname,
        location=spec["location"],
        created=rng.randint(CREATED_FROM, CREATED_TO),
        cores=0,
        ram=0,
        disk_gb=0,
        os_id=spec["os"],
        colocation=kind == "colocation",
        powered=spec.get("powered", True),
        suspended=spec.get("suspended", False),
        upgrade_style=spec.get("upgrade_style", "pkg"),
        minimal_order=spec.get("minimal_order", False),
        # Shape quirks, fixed per server so tests can rely on them.
        powerstate_top_level=index % 2 == 1,
        graph_data_uri=index % 3 != 1,
        bool_style=("str", "int", "bool")[index % 3],
        created_as_int=index % 4 == 3,
        nic_id=state.next_id("nic", 1422),
        nic_mac=":".join(f"{rng.randrange(256):02x}" for _ in range(6)),
        serverkey=f"{rng.getrandbits(128):032x}",
        bw_used=round(rng.uniform(0, 80), 2) if rng.random() < 0.7 else 0,
    )
    server.bw_p95 = f"{server.bw_used:.2f}"
    if server.suspended:
        server.suspended_date = server.created + rng.randint(86400, 400 * 86400)
    if kind == "vps":
        _equip_vps(state, rng, server, spec["pkg"], vps_ordinal)
    else:
        model = catalog.COLOCATION_MODEL if server.colocation else None
        model = model or catalog.DEDICATED_MODELS[spec["model"]]
        _equip_dedicated(state, rng, server, model)
    _add_addresses(state, server, spec.get("extra_ips", 0))
    server.order = _order(state, rng, server)
    for _ in range(spec.get("snapshots", 0) if server.snapshot_feature else 0):
        _add_snapshot(state, rng, server)
    return server


def _equip_vps(state, rng, server, pkg_id, vps_ordinal):
    package = catalog.PACKAGES_BY_ID[pkg_id]
    server.pkg_id = package.pkg_id
    server.product_id = package.product_id
    server.product_name = package.product_name
    server.price = package.price
    server.cores = package.cores
    server.ram = package.ram_mb // 1024
    server.disk_gb = package.disk_gb
    server.snapshot_feature = True
    # The live quirk: some KVM VPSes answer 405 to power on/off (every third).
    server.power_toggle_405 = vps_ordinal % 3 == 2
    server.mgmt = vps_ordinal % 4 != 3
    server.mgmt_type = "kvm" if server.mgmt else ""
    server.pmx_id = rng.randint(1, 9)
    server.node = f"pmx{server.pmx_id}{server.location.lower()}"
    used = rng.randint(2, max(3, package.disk_gb // 2))
    server.disks = [
        Disk(state.next_id("hdd", 1622), "Proxmox", "", "SSD", str(package.disk_gb), str(used))
    ]


def _equip_dedicated(state, rng, server, model):
    (maker, model_name, board, cpu, cores, ram, ram_type, sticks, disks, product) = model
    server.manufacturer = maker
    server.model = model_name
    server.motherboard = board
    server.cores = cores
    server.ram = ram
    server.ram_type = ram_type
    server.ram_sticks = sticks
    server.disk_gb = int(sum(float(d[3]) for d in disks))
    server.product_id, server.product_name, server.price = product
    server.firewall = not server.colocation
    if not server.colocation:
        server.mgmt = True
        server.mgmt_type = "nanokvm" if maker == "Terrahost" else "ipmi"
    cpu_maker, cpu_name, speed = cpu
    server.cpus = [Cpu(state.next_id("cpu", 3032), cpu_maker, cpu_name, speed)]
    for disk_maker, disk_model, disk_type, size in disks:
        serial = f"S{rng.getrandbits(40):010X}"
        server.disks.append(
            Disk(state.next_id("hdd", 1622), disk_maker, disk_model, disk_type, size, "0", serial)
        )


def _add_addresses(state, server, extra_ips):
    primary = state.add_ipv4(server, "primary")
    if server.mgmt and not server.is_vps:
        state.add_ipv4(server, "management")
    for _ in range(extra_ips):
        state.add_ipv4(server, "extra", routed_to=primary.ip_id)
    subnet = state.add_ipv6_subnet(server)
    if server.is_vps:
        # VPSes also list their first IPv6 address, as the recorded server does.
        server.ips.append(
            Ip(
                state.next_id("ip", 7795),
                subnet.sub_id,
                6,
                f"{subnet.network}2",
                "",
                "primary",
                "/64",
                subnet.gateway,
            )
        )


def _order(state, rng, server):
    if server.minimal_order:
        return {"order_billing_date": None}
    ordered = server.created - rng.randint(3600, 5 * 86400)
    billing_date = time.strftime("%d.%m.%Y", time.gmtime(server.created + 30 * 86400))
    package = catalog.PACKAGES_BY_ID.get(server.pkg_id)
    return {
        "order_id": str(state.next_id("order", 3081)),
        "payment_id": "4",
        "order_number": str(state.next_id("order-number", 3976)),
        "order_date": str(ordered),
        "order_billing_type": "recurring",
        "order_billing_date": billing_date,
        "order_billing_cycle": "1",
        "order_billing_days": "10",
        "order_status": "active",
        "order_payment_status": "1",
        "order_total": server.price,
        "order_cancel_reason": "",
        "product_name": server.product_name,
        "product_id": str(server.product_id),
        "product_vm_cores": str(package.cores if package else 0),
        "product_vm_memory": str(package.ram_mb if package else 0),
        "product_vm_storage": str(package.disk_gb if package else 0),
    }


def _add_snapshot(state, rng, server):
    snap_id = state.next_id("snapshot", 123)
    name = "".join(
        rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789") for _ in range(8)
    )
    when = server.created + rng.randint(86400, 600 * 86400)
    display = time.strftime("before-upgrade-%Y-%m-%d", time.gmtime(when))
    server.snapshots[snap_id] = Snapshot(snap_id, server.srv_id, name, display, when, "completed")


def _seed_isos(state, demo, demo_2fa):
    isos = (
        (
            demo,
            "https://cdimage.debian.org/debian-cd/12.5.0/amd64/iso-cd/"
            "debian-12.5.0-amd64-netinst.iso",
            659554304,
        ),
        (
            demo,
            "https://releases.ubuntu.com/24.04/ubuntu-24.04.1-live-server-amd64.iso",
            2773874688,
        ),
        (
            demo_2fa,
            "https://dl-cdn.alpinelinux.org/alpine/v3.20/releases/x86_64/"
            "alpine-virt-3.20.3-x86_64.iso",
            62914560,
        ),
    )
    for account, url, size in isos:
        iso_id = state.next_id("iso", 101)
        digest = hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()
        name = url.rsplit("/", 1)[1]
        account.isos[iso_id] = Iso(
            iso_id, account.cust_id, url, name, size, CREATED_FROM, True, digest
        )
    # web-02 boots from the Debian ISO, so a mounted ISO shows up in the list.
    for srv_id in demo.server_ids[1:2]:
        server = state.servers[srv_id]
        server.iso_id = next(iter(demo.isos))


def _seed_invoices(rng, account, count):
    """Invoices, alternating string money (docs) and number money (recorded)."""
    invoices = []
    date = 1704067200  # 2024-01-01
    for n in range(count):
        inv_id = 9001 + n + (100 if account.username != "demo" else 0)
        total = rng.choice((199, 299, 499, 1490, 2890, 3240)) + rng.choice((0, 0.5))
        vat = round(total * 0.25, 2)
        paid = n < count - 2  # the newest two are unpaid
        digest = hashlib.md5(
            f"{account.cust_id}:{inv_id}".encode(), usedforsecurity=False
        ).hexdigest()
        as_strings = n % 2 == 0
        invoices.append(
            {
                "inv_id": str(inv_id) if as_strings else inv_id,
                "order_id": str(3081 + n) if as_strings else 3081 + n,
                "order_number": str(3976 + n) if as_strings else 3976 + n,
                "inv_md5": digest,
                "inv_filename": f"Invoice_{24001 + n}.pdf",
                "inv_number": str(24001 + n) if as_strings else 24001 + n,
                "inv_date": str(date) if as_strings else date,
                "inv_duedate": str(date + 14 * 86400) if as_strings else date + 14 * 86400,
                "inv_paid": ("1" if paid else "0") if as_strings else int(paid),
                "inv_total": f"{total:.2f}" if as_strings else total,
                "inv_vat": vat if n % 3 == 0 else (f"{vat:.2f}" if as_strings else vat),
                "inv_total_vat": f"{total + vat:.2f}" if as_strings else total + vat,
            }
        )
        date += 31 * 86400
    account.invoices = invoices


def _demo_account():
    profile = {
        "cust_id": "19998",
        "cust_name": "Demo Hosting AS",
        "cust_company_no": "912345678",
        "cust_address": "Storgata 1",
        "cust_address2": "",
        "cust_province": "Vestfold",
        "cust_zipcode": "3210",
        "cust_city": "Sandefjord",
        "cust_country": "NO",
        "cust_phone": "+47 33 00 00 00",
        "cust_email": "demo@example.com",
        "cust_billing_email": "billing@example.com",
        "cust_newsletter": False,
        "cust_incident": True,
        "cust_2fa": "0",
    }
    contacts = [
        _contact("1", "Kari Nordmann", "kari", "kari@example.com", "+47 400 00 001", "1"),
        _contact("2", "Ola Nordmann", "ola", "ola@example.com", "+47 400 00 002", "0"),
    ]
    return Account("demo", "demo", "19998", None, profile, contacts, [])


def _demo_2fa_account():
    profile = {
        "cust_id": "20431",
        "cust_name": "Fjord Drift ENK",
        "cust_company_no": "",
        "cust_address": "Kaigata 7",
        "cust_address2": "Postboks 12",
        "cust_province": "Rogaland",
        "cust_zipcode": "4006",
        "cust_city": "Stavanger",
        "cust_country": "NO",
        "cust_phone": "+47 51 00 00 00",
        "cust_email": "ops@example.org",
        "cust_billing_email": "ops@example.org",
        "cust_newsletter": True,
        "cust_incident": True,
        "cust_2fa": "1",
    }
    contacts = [
        _contact("7", "Ingrid Berg", "ingrid", "ingrid@example.org", "+47 400 00 007", "1"),
        _contact("8", "Nils Dahl", "nils", "nils@example.org", "+47 400 00 008", "1"),
    ]
    return Account("demo-2fa", "demo", "20431", TOTP_SECRET, profile, contacts, [])


def _contact(contact_id, name, username, email, phone, admin):
    return {
        "contact_id": contact_id,
        "contact_name": name,
        "contact_email": email,
        "contact_phone": phone,
        "contact_address": "Storgata 1",
        "contact_zip": "3210",
        "contact_city": "Sandefjord",
        "contact_username": username,
        "contact_admin": admin,
    }
