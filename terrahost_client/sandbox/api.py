"""Handlers of API v3 (everything under /api/v3), one per documented operation.

A handler gets a routing.Context and returns a Reply, or raises ApiError /
BadRequest. Handlers run under the app's lock, after due events were applied.
"""

import base64
import hashlib
import json
import math
import re
import time
from urllib.parse import unquote, urlsplit

from . import catalog, render, totp, validate
from .constants import (
    DEFAULT_PER_PAGE,
    IPMI_SESSION_LIFETIME,
    IPV4_DELAY,
    ISO_DELAY,
    MAX_EXTRA_IPV4,
    MAX_ISOS,
    MAX_SNAPSHOTS,
    POWER_DELAY,
    REBOOT_DELAY,
    REBOOT_DOWN_DELAY,
    REINSTALL_DELAY,
    SERVER_NAME_MAX,
    SNAPSHOT_DELAY,
    SNAPSHOT_NAME_MAX,
    UPGRADE_DELAY,
)
from .png import PERIODS, traffic_chart
from .replies import ApiError, Reply, done, meta, ok
from .routing import route
from .state import KVM_ENDPOINTS, Iso, Snapshot
from .validate import BadRequest

NOT_SUPPORTED = "This operation is not supported for this server."


# --- authentication ----------------------------------------------------------


@route("POST", "/authenticate", auth=False)
def authenticate(ctx):
    body = ctx.body()
    username = validate.require(body, "username")
    password = validate.require(body, "password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise BadRequest("Invalid username or password: expected strings.")
    account = ctx.state.accounts.get(username)
    if account is None or account.password != password:
        raise ApiError(401, "Invalid username or password.")
    if account.totp_secret:
        check_totp(account.totp_secret, body.get("code"))
    token = ctx.state.issue_token(username, revoke_others=ctx.faults.single_session)
    return Reply(
        200,
        {
            "success": True,
            "meta": meta(200, ctx.now),
            "data": {
                "token": token.token,
                "token_expire": str(int(token.expires)),
                "customer_id": account.cust_id,
            },
        },
    )


def check_totp(secret, code):
    """RFC 6238, one 30 s step of drift either way.

    Uses the WALL clock, not the simulated one, so a code from a real
    authenticator app (or pyotp in a test) works after the clock was advanced.
    """
    if code is None or code == "":
        raise ApiError(401, "Two-factor authentication code required.")
    if isinstance(code, bool) or not isinstance(code, int | str):
        raise ApiError(401, "Invalid two-factor authentication code.")
    code = str(code).strip()
    if validate.is_digits(code, 5):
        code = code.zfill(6)  # a numeric code sent as a number loses leading zeros
    # Six ASCII digits and nothing else: full-width or Arabic-Indic digits are no
    # code, and hmac.compare_digest() raises TypeError on non-ASCII strings.
    if not validate.is_digits(code, 6) or len(code) != 6:
        raise ApiError(401, "Invalid two-factor authentication code.")
    if not totp.verify(secret, code, for_time=time.time(), window=1):
        raise ApiError(401, "Invalid two-factor authentication code.")


# --- servers -----------------------------------------------------------------


@route("GET", "/servers")
def list_servers(ctx):
    page = _query_int(ctx.query, "page", 1)
    if ctx.state.ignore_page:
        page = 1  # still validated: only its effect is lost
    per_page = min(_query_int(ctx.query, "per_page", DEFAULT_PER_PAGE), ctx.state.max_per_page)
    servers = ctx.state.visible_servers(ctx.account)
    total = len(servers)
    total_pages = max(1, math.ceil(total / per_page))
    rows = servers[(page - 1) * per_page : page * per_page]
    vps = sum(1 for s in servers if s.is_vps)
    head = meta(
        200,
        ctx.now,
        page=page,
        per_page=per_page,
        total_pages=total_pages,
        total=total,
        active=sum(1 for s in servers if not s.suspended),
        vps=vps,
        dedicated=total - vps,
    )
    # Rows are cached as JSON text per server, so a page is mostly a join.
    text = ",".join(render.server_row_json(s) for s in rows)
    return Reply(200, f'{{"meta":{json.dumps(head)},"data":[{text}]}}')


def _query_int(query, name, default):
    values = query.get(name)
    if not values:
        return default
    value = values[-1].strip()
    if not validate.is_digits(value, 9) or int(value) < 1:
        raise BadRequest(f"Invalid {name}: expected a positive integer.")
    return int(value)


@route("GET", "/servers/{id}")
def get_server(ctx):
    server = ctx.server()
    # A ONE-element array, as the live API answers.
    return ok([render.server_detail(server, ctx.now)], ctx.now)


@route("PUT", "/servers/{id}/name")
def rename_server(ctx):
    server = ctx.server(writable=True)
    name = validate.text(validate.require(ctx.body(), "name"), "name", SERVER_NAME_MAX)
    old = server.name
    server.name = name
    server.touch()
    ctx.state.log_activity(server, f"Name of server #{server.srv_id} changed from {old} to {name}.")
    return done("Server name has been updated.", ctx.now)


@route("POST", "/servers/{id}/ipmi")
def ipmi_session(ctx):
    server = ctx.server(writable=True)
    if not server.mgmt:
        raise ApiError(405, NOT_SUPPORTED)
    state = ctx.state
    password = state.password(12)
    username = f"th{server.srv_id}"
    address = KVM_ENDPOINTS[server.location]
    server.ipmi = {
        "kvm_id": str(state.next_id("kvm", 12)),
        "srv_id": str(server.srv_id),
        "kvm_ip_address": address,
        "kvm_username": username,
        "kvm_password": password,
        "kvm_userid": "5",
        "kvm_expires": str(int(ctx.now + IPMI_SESSION_LIFETIME)),
        "kvm_in_use": "1",
    }
    data = {"kvm_ip_address": address, "username": username, "password": password}
    return ok(data, ctx.now)


# --- power -------------------------------------------------------------------


def _power_server(ctx, action):
    server = ctx.server(writable=True)
    if server.colocation or (action != "reboot" and server.power_toggle_405):
        raise ApiError(405, NOT_SUPPORTED)
    if server.installing and not server.install_stalled:
        raise BadRequest("The server is being reinstalled. Try again when it is done.")
    return server


@route("GET", "/servers/{id}/powerstate")
def power_state(ctx):
    server = ctx.server()
    if server.colocation:
        raise ApiError(405, NOT_SUPPORTED)
    fields = {"powerstate": server.powered, "timestamp": int(ctx.now)}
    if server.powerstate_top_level:
        # Seen live: the fields beside meta rather than inside it.
        return Reply(200, {"meta": meta(200, ctx.now), **fields})
    return Reply(200, {"meta": meta(200, ctx.now, **fields)})


def _start_power_action(server, target):
    """A new power action: earlier pending power events no longer apply.

    Returns the generation the new action's events must carry.
    """
    server.power_generation += 1
    server.power_target = target
    server.rebooting = False
    server.touch()
    return server.power_generation


def _set_power(server, generation, on, final=True):
    def apply(_due):
        if server.power_generation != generation:
            return  # superseded by a later power action
        server.powered = on
        if final:
            server.power_target = None
            server.rebooting = False
        server.touch()

    return apply


def _already(server, on):
    """The message for a power action that changes nothing, or None.

    What counts is where the server ends up (the latest action's target), not
    where it is now: off then on within POWER_DELAY powers it on again, and a
    second "on" while it is powering on changes nothing.
    """
    if server.power_intended != on:
        return None
    word = "on" if on else "off"
    if server.power_target is None:
        return f"Server is already powered {word}."
    return f"Server is already powering {word}."


@route("GET", "/servers/{id}/reboot")
def reboot(ctx):
    server = _power_server(ctx, "reboot")
    generation = _start_power_action(server, True)
    server.rebooting = True
    state = ctx.state
    state.schedule(REBOOT_DOWN_DELAY, _set_power(server, generation, False, final=False))
    state.schedule(REBOOT_DELAY, _set_power(server, generation, True))
    return done("Server is rebooting.", ctx.now)


@route("GET", "/servers/{id}/power/on")
def power_on(ctx):
    return _power(ctx, True)


@route("GET", "/servers/{id}/power/off")
def power_off(ctx):
    return _power(ctx, False)


def _power(ctx, on: bool):
    word = "on" if on else "off"
    server = _power_server(ctx, word)
    already = _already(server, on)
    if already:
        return done(already, ctx.now)
    generation = _start_power_action(server, on)
    ctx.state.schedule(POWER_DELAY, _set_power(server, generation, on))
    return done(f"Server is powering {word}.", ctx.now)


# --- snapshots ---------------------------------------------------------------


def _snapshot_server(ctx, writable=False):
    server = ctx.server(writable=writable)
    if not server.snapshot_feature:
        raise ApiError(405, NOT_SUPPORTED)
    return server


@route("GET", "/servers/{id}/snapshots")
def list_snapshots(ctx):
    server = _snapshot_server(ctx)
    snapshots = sorted(server.snapshots.values(), key=lambda s: s.snap_id)
    return ok([render.snapshot_row(s) for s in snapshots], ctx.now)


@route("POST", "/servers/{id}/snapshot")
def create_snapshot(ctx):
    server = _snapshot_server(ctx, writable=True)
    name = validate.text(validate.require(ctx.body(), "name"), "name", SNAPSHOT_NAME_MAX)
    if any(s.state == "pending" for s in server.snapshots.values()):
        raise BadRequest("A snapshot is already being created.")
    if len(server.snapshots) >= MAX_SNAPSHOTS:
        raise BadRequest(f"Snapshot limit reached ({MAX_SNAPSHOTS}). Delete a snapshot first.")
    state = ctx.state
    snap_id = state.next_id("snapshot", 123)
    snapshot = Snapshot(snap_id, server.srv_id, state.password(8), name, int(ctx.now), "pending")
    server.snapshots[snap_id] = snapshot
    server.touch()

    def complete(_due):
        snapshot.state = "completed"
        server.touch()

    state.schedule(SNAPSHOT_DELAY, complete)
    return done("Snapshot is currently being created.", ctx.now)


@route("DELETE", "/servers/{id}/snapshot/{snap_id}")
def delete_snapshot(ctx):
    server = _snapshot_server(ctx, writable=True)
    snapshot = server.snapshots.get(ctx.params["snap_id"])
    if snapshot is None:
        raise ApiError(404, "Snapshot not found.")
    if snapshot.state == "pending":
        raise BadRequest("The snapshot is still being created.")
    del server.snapshots[snapshot.snap_id]
    server.touch()
    return done("Snapshot has been deleted.", ctx.now)


# --- graphs ------------------------------------------------------------------


def _graphs(ctx, kind):
    server = ctx.server()
    cache = ctx.state.graph_cache
    key = (server.srv_id, kind)
    if key not in cache:
        if len(cache) > 512:
            cache.clear()
        prefix = "data:image/png;base64," if server.graph_data_uri else ""
        cache[key] = {
            f"graph_{period}": prefix
            + base64.b64encode(
                traffic_chart(f"{ctx.state.seed}:{server.srv_id}:{kind}:{period}", period)
            ).decode("ascii")
            for period in PERIODS
        }
    return ok(dict(cache[key]), ctx.now)


@route("GET", "/servers/{id}/port_bits")
def bandwidth_graphs(ctx):
    return _graphs(ctx, "bits")


@route("GET", "/servers/{id}/port_upkts")
def packet_graphs(ctx):
    return _graphs(ctx, "upkts")


# --- reinstall ---------------------------------------------------------------


@route("GET", "/reinstall/distro")
def list_distros(ctx):
    return ok([catalog.distro_row(d) for d in catalog.DISTROS], ctx.now)


@route("GET", "/reinstall/distro/{id}")
def list_operating_systems(ctx):
    dist_id = ctx.params["id"]
    if dist_id not in catalog.DISTROS:
        raise ApiError(404, "Distribution not found.")
    rows = [catalog.os_row(o) for o, v in catalog.OPERATING_SYSTEMS.items() if v[0] == dist_id]
    return ok(rows, ctx.now)


@route("POST", "/servers/{id}/reinstall")
def reinstall(ctx):
    server = ctx.server(writable=True)
    body = ctx.body()
    os_id = validate.integer(validate.require(body, "os_id"), "os_id")
    hostname = validate.hostname(validate.require(body, "hostname"))
    settings = [body.get(name) for name in ("language", "keyboard", "timezone")]
    for name, value in zip(("language", "keyboard", "timezone"), settings, strict=True):
        if value is not None:
            validate.text(value, name, 64, allow_empty=True)
    _check_os(server, os_id)
    if server.installing and not server.install_stalled:
        raise BadRequest("A reinstall is already in progress.")
    # The live quirk: an empty (or missing) language, keyboard or timezone is
    # accepted, and the installer then never finishes.
    stalled = any(not (value or "").strip() for value in settings)
    password = ctx.state.password(16)
    server.installing = True
    server.install_stalled = stalled
    if ctx.state.root_password_in_server_record:
        # The fields beside root_password are a guess: only that one has been reported.
        server.install_details = {
            "root_password": password,
            "os_id": str(os_id),
            "hostname": hostname,
        }
        password = ""
    server.touch()
    os_name = catalog.OPERATING_SYSTEMS[os_id][1]
    ctx.state.log_activity(server, f"Reinstall of server #{server.srv_id} with {os_name} started.")
    generation = ctx.state.next_id("install", 1)
    server.install_generation = generation

    def finish(_due):
        if server.install_generation != generation:
            return
        server.os_id = os_id
        server.hostname = hostname
        server.installing = False
        server.install_details = None
        server.powered = True
        # The installer boots the server: that supersedes pending power events.
        _start_power_action(server, None)

    if not stalled:
        ctx.state.schedule(REINSTALL_DELAY, finish)
    # The live shape: message/reboot/root_passwd at the top level, not in meta.
    return Reply(
        200,
        {
            "meta": meta(200, ctx.now),
            "message": "Server install has been initiated.",
            "reboot": True,
            "root_passwd": password,
        },
    )


def _check_os(server, os_id):
    if os_id not in catalog.OPERATING_SYSTEMS:
        raise BadRequest(f"Unknown os_id: {os_id}.")
    _dist, _name, _dist_name, dedicated_only, minram, _custom = catalog.OPERATING_SYSTEMS[os_id]
    if dedicated_only == "1" and server.is_vps:
        raise BadRequest("This operating system is only available on dedicated servers.")
    if float(minram) > float(server.ram) and not server.colocation:
        raise BadRequest(f"This operating system needs at least {minram} GB of RAM.")


# --- reverse DNS -------------------------------------------------------------


@route("PUT", "/servers/{id}/reverse")
def set_reverse(ctx):
    server = ctx.server(writable=True)
    body = ctx.body()
    has_ip, has_sub = body.get("ip_id") is not None, body.get("sub_id") is not None
    if has_ip and has_sub:
        raise BadRequest("Send either ip_id (IPv4) or sub_id (IPv6), not both.")
    if not has_ip and not has_sub:
        raise BadRequest("Missing required field: ip_id or sub_id.")
    dns = validate.require(body, "dns")
    if has_ip:
        ip_id = validate.integer(body["ip_id"], "ip_id")
        ip = next((ip for ip in server.ips if ip.ip_id == ip_id), None)
        if ip is None:
            raise BadRequest(f"Unknown ip_id for this server: {ip_id}.")
        if ip.version != 4:
            raise BadRequest("IPv6 reverse DNS is delegated per subnet: send sub_id.")
        ip.reverse = validate.dns_name(dns)
        server.touch()
        return done("Reverse DNS has been updated.", ctx.now)
    sub_id = validate.integer(body["sub_id"], "sub_id")
    subnet = next((s for s in server.subnets if s.sub_id == sub_id), None)
    if subnet is None:
        raise BadRequest(f"Unknown sub_id for this server: {sub_id}.")
    if not isinstance(dns, str):
        raise BadRequest("Invalid dns: not a valid DNS name.")
    # NS delegation: one name server, or up to five separated by commas/spaces.
    names = [n for n in re.split(r"[,\s]+", dns.strip()) if n]
    if not names or len(names) > 5:
        raise BadRequest("Invalid dns: give one to five name servers.")
    subnet.nameservers = [validate.dns_name(n) for n in names]
    server.touch()
    return done("Reverse DNS delegation has been updated.", ctx.now)


# --- ISOs --------------------------------------------------------------------


@route("GET", "/servers/{id}/isos")
def list_isos(ctx):
    server = ctx.server()
    isos = ctx.account.isos.values()
    return ok([render.iso_row(iso, server, ctx.now, ISO_DELAY) for iso in isos], ctx.now)


@route("POST", "/servers/{id}/isos")
def upload_or_mount_iso(ctx):
    """The docs are vague: iso_url registers (uploads) an ISO, iso_id mounts one."""
    server = ctx.server(writable=True)
    body = ctx.body()
    has_url, has_id = body.get("iso_url") is not None, body.get("iso_id") is not None
    if has_url and has_id:
        raise BadRequest("Send either iso_url (upload) or iso_id (mount), not both.")
    if has_url:
        return _upload_iso(ctx, validate.iso_url(body["iso_url"]))
    if has_id:
        return _mount_iso(ctx, server, validate.integer(body["iso_id"], "iso_id"))
    raise BadRequest("Missing required field: iso_id or iso_url.")


def _upload_iso(ctx, url):
    account = ctx.account
    if len(account.isos) >= MAX_ISOS:
        raise BadRequest(f"ISO limit reached ({MAX_ISOS}).")
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    digest = hashlib.md5(url.encode("utf-8"), usedforsecurity=False).hexdigest()
    size = 200_000_000 + int(digest[:8], 16) % 3_800_000_000  # 200 MB - 4 GB, per URL
    iso_id = ctx.state.next_id("iso", 101)
    iso = Iso(iso_id, account.cust_id, url, name, size, ctx.now, False)
    account.isos[iso_id] = iso

    def ready(_due):
        iso.ready = True
        iso.hash = digest

    ctx.state.schedule(ISO_DELAY, ready)
    return done("ISO upload has been started.", ctx.now)


def _mount_iso(ctx, server, iso_id):
    if iso_id == 0:
        server.iso_id = 0
        server.touch()
        return done("ISO has been unmounted.", ctx.now)
    iso = ctx.account.isos.get(iso_id)
    if iso is None:
        raise BadRequest(f"Unknown iso_id: {iso_id}.")
    if not iso.ready:
        raise BadRequest("The ISO is not ready yet: it is still uploading.")
    server.iso_id = iso_id
    server.touch()
    return done("ISO has been mounted.", ctx.now)


# --- upgrades ----------------------------------------------------------------


def _upgrade_packages(server):
    if not server.is_vps:
        return []
    return [p for p in catalog.PACKAGES if p.ram_mb > server.ram * 1024]


@route("GET", "/servers/{id}/upgrade")
def list_upgrades(ctx):
    server = ctx.server()
    return ok([render.package_row(server, p) for p in _upgrade_packages(server)], ctx.now)


@route("POST", "/servers/{id}/upgrade")
def upgrade(ctx):
    server = ctx.server(writable=True)
    pkg_id = validate.integer(validate.require(ctx.body(), "pkg_id"), "pkg_id")
    packages = _upgrade_packages(server)
    if not packages:
        raise BadRequest("No upgrade packages are available for this server.")
    # Servers whose list has no pkg_id take the product_id in its place.
    field = "product_id" if server.upgrade_style == "product" else "pkg_id"
    package = next((p for p in packages if getattr(p, field) == pkg_id), None)
    if package is None:
        raise BadRequest(f"Unknown pkg_id for this server: {pkg_id}.")
    if server.upgrading:
        raise BadRequest("An upgrade is already in progress.")
    server.upgrading = True
    server.touch()

    def finish(_due):
        server.cores = package.cores
        server.ram = package.ram_mb // 1024
        server.disk_gb = package.disk_gb
        if server.disks:
            server.disks[0].size = str(package.disk_gb)
        server.pkg_id = package.pkg_id
        server.product_id = package.product_id
        server.product_name = package.product_name
        server.price = package.price
        if "order_id" in server.order:
            server.order.update(
                {
                    "product_name": package.product_name,
                    "product_id": str(package.product_id),
                    "order_total": package.price,
                    "product_vm_cores": str(package.cores),
                    "product_vm_memory": str(package.ram_mb),
                    "product_vm_storage": str(package.disk_gb),
                }
            )
        server.upgrading = False
        server.touch()

    ctx.state.schedule(UPGRADE_DELAY, finish)
    return done("Server upgrade has been initiated.", ctx.now)


# --- IPv4 --------------------------------------------------------------------


@route("POST", "/servers/{id}/ipv4")
def order_ipv4(ctx):
    server = ctx.server(writable=True)
    ip_type = ctx.body().get("ip_type")
    if ip_type not in ("l2", "l3"):
        raise BadRequest("Invalid data received.")
    if ip_type == "l2" and server.is_vps:
        raise BadRequest("Only routed (L3) IPs can be ordered for virtual servers.", key="error")
    extra = sum(1 for ip in server.ips if ip.type == "extra")
    pending = server.pending_ipv4
    if extra + pending >= MAX_EXTRA_IPV4:
        raise BadRequest(f"IP address limit reached for this server ({MAX_EXTRA_IPV4}).")
    server.pending_ipv4 = pending + 1

    def deliver(_due):
        primary = server.primary_ip
        routed_to = primary.ip_id if ip_type == "l3" and primary else 0
        ctx.state.add_ipv4(server, "extra", routed_to=routed_to)
        server.pending_ipv4 -= 1

    ctx.state.schedule(IPV4_DELAY, deliver)
    # Never the address: it shows up on the server later.
    return done("IP address has been ordered.", ctx.now)


# --- my ----------------------------------------------------------------------


@route("GET", "/my/account")
def my_account(ctx):
    account = ctx.account
    # No meta/data: fields at the top level beside "success".
    return Reply(
        200,
        {
            "success": True,
            **account.profile,
            "cust_contacts": [dict(c) for c in account.contacts],
        },
    )


@route("GET", "/my/invoices")
def my_invoices(ctx):
    return Reply(200, {"success": True, "invoices": [dict(i) for i in ctx.account.invoices]})
