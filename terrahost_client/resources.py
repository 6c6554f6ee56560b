"""Resource managers, one per part of the API, in the style of hcloud-python.

Each method names its endpoint's retry policy: `retry=True` only for reads and idempotent
PUTs. Reboot and power are GETs that change the server, and every POST and DELETE may
have reached Terrahost before a connection broke, so none of those is ever repeated.
"""

from __future__ import annotations

import logging
from contextlib import closing
from typing import TYPE_CHECKING

from ._convert import to_int
from ._envelope import fields, many, message, one, page_count, page_meta
from .errors import BadRequest, IncompleteListing, NotFound
from .models import (
    Account,
    Distro,
    Graphs,
    Invoice,
    IpmiSession,
    Iso,
    OperatingSystem,
    PowerState,
    ReinstallResult,
    Server,
    Snapshot,
    UpgradePackage,
)
from .waiting import wait_until

if TYPE_CHECKING:
    from .client import Client

# The installer stalls on empty values (API notes), so these are always sent.
DEFAULT_LANGUAGE = "en_US"
DEFAULT_KEYBOARD = "us"
DEFAULT_TIMEZONE = "Europe/Oslo"
# GET /servers asks for this many servers a page; the API answers with the size it used
# (meta.per_page), and later pages follow that. The live API's largest page is unknown:
# recorded answers say 100, the size it uses when not asked (API notes).
PER_PAGE = 1000

logger = logging.getLogger("terrahost_client")


class _Resource:
    def __init__(self, client: Client):
        self._client = client

    def _get(self, path: str, **params) -> dict:
        return self._client.request("GET", path, params=params or None, retry=True)

    def _write(self, method: str, path: str, body: dict | None = None, *, retry=False) -> dict:
        return self._client.request(method, path, body=body, retry=retry)


# Ids as the API sends them: numbers or strings of digits ("7795"), either is accepted.
Id = int | str


def _id(value: Id) -> int:
    """An id for a path or a body. Anything but digits raises ValueError before a call is
    made (int() would turn True into 1 and 7795.9 into 7795)."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"an id must be a number or a string of digits, not {value!r}")


def _add_new(records: dict, page: list[dict]) -> int:
    """Add the page's servers not listed yet to `records` (by id: a server can shift pages
    between two calls); returns how many were new."""
    before = len(records)
    for record in page:
        records.setdefault(to_int(record.get("srv_id")), record)
    return len(records) - before


class ServersClient(_Resource):
    def list(self) -> list[Server]:
        """Every server: the first page, then the others `concurrency` at a time (see
        Client.get_many), in page order.

        Pages hold as many servers as the API will give (PER_PAGE asked, `meta.per_page`
        followed). The result is the whole list or an error, never a part of it, because
        whoever stores a listing marks the servers it lacks as missing: a page that fails
        fails the listing, and so does one that brings only servers already listed, which
        is what an API that ignores `page` answers (nothing shows the live API honours it:
        API notes). A page that brings nothing means the list shrank meanwhile.
        """
        first, per_page = self._first_page()
        records: dict = {}
        _add_new(records, many(first))
        later = range(2, page_count(first) + 1)
        # Later pages with the size the first answer used, so that page numbers mean what
        # its total_pages counted (requests leaves out a per_page of None).
        queries = [{"page": page, "per_page": per_page} for page in later]
        with closing(self._client.get_many("/servers", queries)) as answers:
            for page, body in zip(later, answers, strict=True):
                page_records = many(body)
                if page_records and not _add_new(records, page_records):
                    raise IncompleteListing(
                        f"GET /servers page {page} brought only servers already listed: the"
                        f" API seems to ignore `page`, so the {page_count(first)} pages it"
                        " counts cannot be read."
                    )
        return [Server.from_api(record) for record in records.values()]

    def _first_page(self) -> tuple[dict, int | None]:
        """The first page, asked for PER_PAGE servers, and the per_page to ask the others
        for: the size the answer says it used, else the size asked.

        An API that refuses that size, or that says it used a size its answer does not hold
        while it counts more pages, is asked again without per_page and lists with its own
        size: pages of a size other than the one total_pages counted would miss servers.
        """
        try:
            body = self._get("/servers", per_page=PER_PAGE)
        except BadRequest:
            pass
        else:
            per_page = to_int(page_meta(body).get("per_page")) or PER_PAGE
            if page_count(body) == 1 or len(many(body)) >= per_page:
                return body, per_page
        logger.warning("GET /servers did not list %d a page; listing with its own size", PER_PAGE)
        body = self._get("/servers")
        return body, to_int(page_meta(body).get("per_page"))

    def get(self, srv_id: Id) -> Server:
        record = one(self._get(f"/servers/{_id(srv_id)}"))
        if not record:
            raise NotFound(404, f"Server {srv_id} was not found.")
        return Server.from_api(record)

    def rename(self, srv_id: Id, name: str) -> str:
        path = f"/servers/{_id(srv_id)}/name"
        return message(self._write("PUT", path, {"name": name}, retry=True))

    def ipmi_session(self, srv_id: Id) -> IpmiSession:
        body = self._write("POST", f"/servers/{_id(srv_id)}/ipmi")
        return IpmiSession.from_api(fields(body))

    def power_state(self, srv_id: Id) -> PowerState:
        return PowerState.from_api(fields(self._get(f"/servers/{_id(srv_id)}/powerstate")))

    def reboot(self, srv_id: Id) -> str:
        return self._action(srv_id, "reboot")

    def power_on(self, srv_id: Id) -> str:
        return self._action(srv_id, "power/on")

    def power_off(self, srv_id: Id) -> str:
        return self._action(srv_id, "power/off")

    def _action(self, srv_id: Id, action: str) -> str:
        # GETs that change the server: never retried, never prefetched.
        return message(self._write("GET", f"/servers/{_id(srv_id)}/{action}"))

    def wait_for_power_state(self, srv_id: Id, is_on: bool, **options) -> PowerState:
        return wait_until(
            lambda: self.power_state(srv_id), lambda state: state.is_on is is_on, **options
        )

    def wait_for_root_password(self, srv_id: Id, **options) -> str:
        """The root password of the install that runs now, for when `reinstall.start()`
        returned an empty one: some accounts show it only in the server record during the
        install (API notes). Returns "" if the install ends without showing it.

        The install flag may still be unset right after the reinstall call, so a record that
        is not installing ends the wait only after one that was; `options` go to wait_until.
        """
        seen_installing = False

        def done(server: Server) -> bool:
            nonlocal seen_installing
            seen_installing = seen_installing or server.is_installing
            return bool(server.install_root_password) or (
                seen_installing and not server.is_installing
            )

        return wait_until(lambda: self.get(srv_id), done, **options).install_root_password

    def wait_until_installed(self, srv_id: Id, os_id: Id, hostname: str, **options) -> Server:
        """Wait until the server runs `os_id` as `hostname` and is no longer installing: the
        install flag alone could still be unset right after the reinstall call."""

        def installed(server: Server) -> bool:
            has_os = server.os is not None and server.os.id == _id(os_id)
            return not server.is_installing and has_os and server.hostname == hostname

        return wait_until(lambda: self.get(srv_id), installed, **options)


class SnapshotsClient(_Resource):
    def list(self, srv_id: Id) -> list[Snapshot]:
        return [Snapshot.from_api(r) for r in many(self._get(f"/servers/{_id(srv_id)}/snapshots"))]

    def create(self, srv_id: Id, name: str) -> str:
        path = f"/servers/{_id(srv_id)}/snapshot"
        return message(self._write("POST", path, {"name": name}))

    def delete(self, srv_id: Id, snap_id: Id) -> str:
        path = f"/servers/{_id(srv_id)}/snapshot/{_id(snap_id)}"
        return message(self._write("DELETE", path))

    def wait_until_completed(
        self, srv_id: Id, name: str, *, known_ids: frozenset = frozenset(), **options
    ) -> Snapshot:
        """Wait for the new snapshot called `name` to complete. The create call returns no
        id, so pass `known_ids`, the ids listed before it, to skip an older namesake."""

        def find() -> Snapshot | None:
            matches = [
                s
                for s in self.list(srv_id)
                if name in (s.display_name, s.name) and s.id not in known_ids
            ]
            return max(matches, key=lambda s: s.id or 0) if matches else None

        return wait_until(find, lambda snap: snap is not None and snap.is_completed, **options)


class GraphsClient(_Resource):
    def bandwidth(self, srv_id: Id) -> Graphs:
        return Graphs.from_api(fields(self._get(f"/servers/{_id(srv_id)}/port_bits")))

    def packets(self, srv_id: Id) -> Graphs:
        return Graphs.from_api(fields(self._get(f"/servers/{_id(srv_id)}/port_upkts")))


class ReinstallClient(_Resource):
    def distros(self) -> list[Distro]:
        return [Distro.from_api(r) for r in many(self._get("/reinstall/distro"))]

    def operating_systems(self, dist_id: Id) -> list[OperatingSystem]:
        records = many(self._get(f"/reinstall/distro/{_id(dist_id)}"))
        return [OperatingSystem.from_api(r) for r in records]

    def start(
        self,
        srv_id: Id,
        os_id: Id,
        hostname: str,
        language: str = "",
        keyboard: str = "",
        timezone: str = "",
    ) -> ReinstallResult:
        body = {
            "os_id": _id(os_id),
            "hostname": hostname,
            "language": language or DEFAULT_LANGUAGE,
            "keyboard": keyboard or DEFAULT_KEYBOARD,
            "timezone": timezone or DEFAULT_TIMEZONE,
        }
        path = f"/servers/{_id(srv_id)}/reinstall"
        return ReinstallResult.from_api(fields(self._write("POST", path, body)))


class ReverseDNSClient(_Resource):
    # The docs name ip_id and sub_id numeric: sent as numbers, whichever form was given.
    def set_ipv4(self, srv_id: Id, ip_id: Id, dns: str) -> str:
        return self._put(srv_id, {"ip_id": _id(ip_id), "dns": dns})

    def set_ipv6(self, srv_id: Id, sub_id: Id, dns: str) -> str:
        return self._put(srv_id, {"sub_id": _id(sub_id), "dns": dns})

    def _put(self, srv_id: Id, body: dict) -> str:
        path = f"/servers/{_id(srv_id)}/reverse"
        return message(self._write("PUT", path, body, retry=True))


class IsosClient(_Resource):
    def list(self, srv_id: Id) -> list[Iso]:
        return [Iso.from_api(r) for r in many(self._get(f"/servers/{_id(srv_id)}/isos"))]

    def upload(self, srv_id: Id, url: str) -> str:
        """Ask Terrahost to fetch an ISO from `url`; it shows as `uploading`, then `ready`."""
        return self._post(srv_id, {"iso_url": url})

    def mount(self, srv_id: Id, iso_id: Id) -> str:
        # A string, as the docs name it and the other clients send it.
        return self._post(srv_id, {"iso_id": str(_id(iso_id))})

    def _post(self, srv_id: Id, body: dict) -> str:
        path = f"/servers/{_id(srv_id)}/isos"
        return message(self._write("POST", path, body))


class UpgradesClient(_Resource):
    def list(self, srv_id: Id) -> list[UpgradePackage]:
        records = many(self._get(f"/servers/{_id(srv_id)}/upgrade"))
        return [UpgradePackage.from_api(r) for r in records]

    def order(self, srv_id: Id, pkg_id: Id) -> str:
        if pkg_id is None:
            raise ValueError("this package has no pkg_id to order it with")
        path = f"/servers/{_id(srv_id)}/upgrade"
        return message(self._write("POST", path, {"pkg_id": _id(pkg_id)}))


class IPsClient(_Resource):
    def order_ipv4(self, srv_id: Id, ip_type: str = "l3") -> str:
        """Order one more IPv4 ('l3' routed, 'l2' not); the answer does not carry the address."""
        if ip_type not in ("l2", "l3"):
            raise ValueError("ip_type must be 'l2' or 'l3'")
        path = f"/servers/{_id(srv_id)}/ipv4"
        return message(self._write("POST", path, {"ip_type": ip_type}))


class AccountClient(_Resource):
    def get(self) -> Account:
        return Account.from_api(fields(self._get("/my/account")))

    def invoices(self) -> list[Invoice]:
        return [Invoice.from_api(r) for r in many(self._get("/my/invoices"), "invoices")]
