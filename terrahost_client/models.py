"""Typed, frozen views of the API's records.

Every model is built by `from_api(record)` through the lenient converters and keeps the
record it came from in `.raw` (unknown fields included). Secrets live only in their own
fields, which stay out of `repr()`; `.raw` has them masked, so it can be logged or cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from ._convert import (
    to_bool,
    to_datetime,
    to_decimal,
    to_dict,
    to_int,
    to_list,
    to_png,
    to_str,
)
from ._secrets import redact


def _raw() -> dict:
    return field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Token:
    token: str = field(repr=False)
    expires_at: datetime | None
    customer_id: str = ""

    @classmethod
    def from_api(cls, data: dict) -> Token:
        return cls(
            token=to_str(data.get("token")),
            expires_at=to_datetime(data.get("token_expire")),
            customer_id=to_str(data.get("customer_id")),
        )


@dataclass(frozen=True)
class OperatingSystem:
    id: int | None
    name: str
    release: str = ""
    distro_id: int | None = None
    version: str = ""
    arch: str = ""
    min_ram_gb: Decimal | None = None
    dedicated_only: bool = False
    custom_partition: bool = False
    single_disk_only: bool = False
    supports_raid: bool = False
    logo: str = ""
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> OperatingSystem:
        return cls(
            id=to_int(data.get("os_id")),
            name=to_str(data.get("os_name")),
            release=to_str(data.get("os_release")),
            distro_id=to_int(data.get("dist_id")),
            version=to_str(data.get("os_dist")),
            arch=to_str(data.get("os_arch")),
            min_ram_gb=to_decimal(data.get("os_minram")),
            dedicated_only=to_bool(data.get("os_dedicated_only")),
            custom_partition=to_bool(data.get("os_custom_partition")),
            single_disk_only=to_bool(data.get("os_single_disk_only")),
            supports_raid=to_bool(data.get("os_support_raid")),
            logo=to_str(data.get("dist_logo")),
            raw=data,
        )


@dataclass(frozen=True)
class Distro:
    id: int | None
    name: str
    value: str = ""
    type_id: int | None = None
    logo: str = ""
    description: str = ""
    is_active: bool = True
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> Distro:
        return cls(
            id=to_int(data.get("dist_id")),
            name=to_str(data.get("dist_name")),
            value=to_str(data.get("dist_value")),
            type_id=to_int(data.get("type_id")),
            logo=to_str(data.get("dist_logo")),
            description=to_str(data.get("dist_description")),
            is_active=to_bool(data.get("dist_active", "1")),
            raw=data,
        )


@dataclass(frozen=True)
class IPAddress:
    id: int | None
    address: str
    version: int = 4
    subnet_id: int | None = None
    reverse: str = ""
    type: str = ""
    netmask: str = ""
    gateway: str = ""
    routed_to: int | None = None
    is_nullrouted: bool = False
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> IPAddress:
        address = to_str(data.get("ip_address"))
        family = to_str(data.get("ip_v4v6")).lower()
        version = 6 if family == "ipv6" or (not family and ":" in address) else 4
        reverse = to_str(data.get("ip_reverse")) or to_str(data.get("ip_reverse_v6"))
        return cls(
            id=to_int(data.get("ip_id")),
            address=address,
            version=version,
            subnet_id=to_int(data.get("sub_id")),
            reverse=reverse,
            type=to_str(data.get("ip_type")),
            netmask=to_str(data.get("ip_netmask")),
            gateway=to_str(data.get("ip_gateway")),
            routed_to=to_int(data.get("ip_routed_to")) or None,
            is_nullrouted=to_bool(data.get("ip_nullroute")),
            raw=data,
        )


@dataclass(frozen=True)
class Subnet:
    id: int | None
    cidr: str
    network: str = ""
    netmask: str = ""
    gateway: str = ""
    type: str = ""
    location: str = ""
    nameservers: tuple[str, ...] = ()
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> Subnet:
        network = to_str(data.get("sub_network"))
        netmask = to_str(data.get("sub_netmask"))
        cidr = to_str(data.get("sub_cidr")) or (f"{network}/{netmask}" if network else "")
        keys = ("sub_ns", "sub_ns2", "sub_ns3", "sub_ns4", "sub_ns5")
        nameservers = tuple(to_str(data.get(key)) for key in keys if data.get(key))
        return cls(
            id=to_int(data.get("sub_id")),
            cidr=cidr,
            network=network,
            netmask=netmask,
            gateway=to_str(data.get("sub_gateway")),
            type=to_str(data.get("sub_type")),
            location=to_str(data.get("sub_location")),
            nameservers=nameservers,
            raw=data,
        )


@dataclass(frozen=True)
class Disk:
    id: int | None
    type: str
    size_gb: Decimal | None
    used_gb: Decimal | None = None
    manufacturer: str = ""
    model: str = ""
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> Disk:
        return cls(
            id=to_int(data.get("hdd_id")),
            type=to_str(data.get("hdd_type")),
            size_gb=to_decimal(data.get("hdd_size")),
            used_gb=to_decimal(data.get("hdd_space_used")),
            manufacturer=to_str(data.get("hdd_manufacturer")),
            model=to_str(data.get("hdd_model")),
            raw=data,
        )


@dataclass(frozen=True)
class Cpu:
    id: int | None
    name: str
    speed_mhz: int | None = None
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> Cpu:
        name = to_str(data.get("cpu_full_name")) or to_str(data.get("cpu_name"))
        return cls(
            id=to_int(data.get("cpu_id")),
            name=name,
            speed_mhz=to_int(data.get("cpu_speed")),
            raw=data,
        )


@dataclass(frozen=True)
class Order:
    id: int | None
    number: str = ""
    date: datetime | None = None
    billing_type: str = ""
    billing_date: str = ""
    billing_cycle: str = ""
    status: str = ""
    total: Decimal | None = None
    product_name: str = ""
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> Order:
        return cls(
            id=to_int(data.get("order_id")),
            number=to_str(data.get("order_number")),
            date=to_datetime(data.get("order_date")),
            billing_type=to_str(data.get("order_billing_type")),
            billing_date=to_str(data.get("order_billing_date")),
            billing_cycle=to_str(data.get("order_billing_cycle")),
            status=to_str(data.get("order_status")),
            total=to_decimal(data.get("order_total")),
            product_name=to_str(data.get("product_name")),
            raw=data,
        )


@dataclass(frozen=True)
class IpmiSession:
    """A KVM/IPMI console session; valid for 3 hours."""

    ip_address: str
    username: str = field(repr=False)
    password: str = field(repr=False)
    expires_at: datetime | None = None
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> IpmiSession:
        return cls(
            ip_address=to_str(data.get("kvm_ip_address")),
            username=to_str(data.get("username") or data.get("kvm_username")),
            password=to_str(data.get("password") or data.get("kvm_password")),
            expires_at=to_datetime(data.get("kvm_expires")),
            raw=redact(data),
        )


@dataclass(frozen=True)
class Server:
    id: int
    name: str
    label: str = ""
    hostname: str = ""
    type: str = ""
    vps_type: str = ""
    location: str = ""
    primary_ip: str | None = None
    cores: int | None = None
    ram_gb: Decimal | None = None
    bandwidth_mbps: int | None = None
    is_running: bool = False
    is_rescue: bool = False
    is_installing: bool = False
    is_snapshotting: bool = False
    is_iso_mounted: bool = False
    is_rebooting: bool = False
    is_suspended: bool = False
    suspended_at: datetime | None = None
    can_reinstall: bool = False
    has_management: bool = False
    created_at: datetime | None = None
    os: OperatingSystem | None = None
    ips: tuple[IPAddress, ...] = ()
    subnets: tuple[Subnet, ...] = ()
    disks: tuple[Disk, ...] = ()
    cpus: tuple[Cpu, ...] = ()
    order: Order | None = None
    ipmi_session: IpmiSession | None = None
    bw_used: Decimal | None = None
    bw_used_in: Decimal | None = None
    bw_used_out: Decimal | None = None
    # Set only while an install runs on accounts whose reinstall answer carries an empty
    # root_passwd (API notes); see ServersClient.wait_for_root_password.
    install_root_password: str = field(default="", repr=False)
    raw: dict = _raw()

    @property
    def is_cancelled(self) -> bool:
        """Cancelled servers stay in the list; only their order status tells (API notes)."""
        return self.order is not None and self.order.status.strip().lower() in _CANCELLED

    @property
    def status(self) -> str:
        """One word for a badge; the most important state wins."""
        if self.is_cancelled:
            return "cancelled"
        if self.is_suspended:
            return "suspended"
        if self.is_installing:
            return "installing"
        if self.is_rescue:
            return "rescue"
        return "running" if self.is_running else "stopped"

    @property
    def display_name(self) -> str:
        # srv_name is the customer's own name (PUT /name changes it); srv_label is the
        # provider's "srvNNNN.terrahost.no" (see the recorded colocation server).
        return self.name or self.label or self.hostname or f"#{self.id}"

    @classmethod
    def from_api(cls, data: dict) -> Server:
        os_record = to_dict(data.get("os"))
        order = to_dict(data.get("order"))
        ipmi = to_dict(data.get("ipmi_session"))
        ips = tuple(IPAddress.from_api(ip) for ip in to_list(data.get("ips")))
        primary_ip = to_str(data.get("srv_primary_ip")) or next(
            (ip.address for ip in ips if ip.type == "primary"), None
        )
        return cls(
            id=to_int(data.get("srv_id")) or 0,
            name=to_str(data.get("srv_name")),
            label=to_str(data.get("srv_label")),
            hostname=to_str(data.get("srv_hostname")),
            type=to_str(data.get("srv_type")),
            vps_type=to_str(data.get("srv_vps_type")),
            location=_location(data),
            primary_ip=primary_ip or None,
            cores=to_int(data.get("srv_cores")),
            ram_gb=to_decimal(data.get("srv_ram")),
            bandwidth_mbps=to_int(data.get("srv_bw")),
            is_running=to_bool(data.get("srv_status")),
            is_rescue=to_bool(data.get("srv_status_rescue")),
            is_installing=to_bool(data.get("srv_status_install")),
            is_snapshotting=to_bool(data.get("srv_status_snapshot")),
            is_iso_mounted=to_bool(data.get("srv_status_mount")),
            is_rebooting=to_bool(data.get("srv_status_reboot")),
            is_suspended=to_bool(data.get("srv_suspended")),
            suspended_at=to_datetime(data.get("srv_suspended_date")),
            can_reinstall=to_bool(data.get("srv_feature_reinstall")),
            has_management=to_bool(data.get("srv_feature_mgmt")),
            created_at=to_datetime(data.get("srv_date_created")),
            os=OperatingSystem.from_api(os_record) if os_record else None,
            ips=ips,
            subnets=tuple(Subnet.from_api(s) for s in to_list(data.get("subnets"))),
            disks=tuple(Disk.from_api(d) for d in to_list(data.get("hdds"))),
            cpus=tuple(Cpu.from_api(c) for c in to_list(data.get("cpus"))),
            order=Order.from_api(order) if _has_order(order) else None,
            ipmi_session=IpmiSession.from_api(ipmi) if ipmi else None,
            bw_used=to_decimal(data.get("bw_used")),
            bw_used_in=to_decimal(data.get("bw_used_in")),
            bw_used_out=to_decimal(data.get("bw_used_out")),
            install_root_password=to_str(to_dict(data.get("install_details")).get("root_password")),
            raw=redact(data),
        )


_CANCELLED = frozenset({"cancelled", "canceled"})


def _has_order(order: dict) -> bool:
    """Any order field with a value: records carry order_status without order_id, while
    {"order_billing_date": null} (recorded) is no order at all."""
    return any(key.startswith("order_") and value not in (None, "") for key, value in order.items())


def _location(data: dict) -> str:
    """srv_location is often empty on live records; the datacenter objects then say where."""
    location = data.get("location")
    return (
        to_str(data.get("srv_location"))
        or to_str(to_dict(data.get("datacenter")).get("dc_name"))
        or to_str(to_dict(location).get("dc_location"))
    )


@dataclass(frozen=True)
class PowerState:
    is_on: bool | None  # None: the answer did not say
    checked_at: datetime | None = None
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> PowerState:
        return cls(
            is_on=to_bool(data["powerstate"]) if data.get("powerstate") is not None else None,
            checked_at=to_datetime(data.get("timestamp")),
            raw=data,
        )


@dataclass(frozen=True)
class Snapshot:
    id: int | None
    server_id: int | None
    name: str
    display_name: str = ""
    created_at: datetime | None = None
    state: str = ""
    raw: dict = _raw()

    @property
    def is_completed(self) -> bool:
        return self.state == "completed"

    @classmethod
    def from_api(cls, data: dict) -> Snapshot:
        return cls(
            id=to_int(data.get("snap_id")),
            server_id=to_int(data.get("srv_id")),
            name=to_str(data.get("snap_name")),
            display_name=to_str(data.get("snap_display_name")),
            created_at=to_datetime(data.get("snap_time")),
            state=to_str(data.get("snap_state")),
            raw=data,
        )


@dataclass(frozen=True)
class Graphs:
    """PNG images (bytes) for four periods; b'' where the API sent none."""

    day: bytes = field(repr=False)
    week: bytes = field(repr=False)
    month: bytes = field(repr=False)
    year: bytes = field(repr=False)
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> Graphs:
        return cls(
            day=to_png(data.get("graph_day")),
            week=to_png(data.get("graph_week")),
            month=to_png(data.get("graph_month")),
            year=to_png(data.get("graph_year")),
            raw=data,
        )


@dataclass(frozen=True)
class ReinstallResult:
    message: str
    reboot: bool
    root_password: str = field(repr=False)
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> ReinstallResult:
        return cls(
            message=to_str(data.get("message")),
            reboot=to_bool(data.get("reboot")),
            root_password=to_str(data.get("root_passwd")),
            raw=redact(data),
        )


@dataclass(frozen=True)
class Iso:
    id: int | None
    name: str
    url: str = ""
    state: str = ""
    size: int | None = None
    hash: str = ""
    is_mounted: bool = False
    raw: dict = _raw()

    @property
    def is_ready(self) -> bool:
        return self.state == "ready"

    @classmethod
    def from_api(cls, data: dict) -> Iso:
        return cls(
            id=to_int(data.get("iso_id")),
            name=to_str(data.get("iso_name")),
            url=to_str(data.get("iso_url")),
            state=to_str(data.get("iso_state")),
            size=to_int(data.get("iso_size")),
            hash=to_str(data.get("iso_hash")),
            is_mounted=to_bool(data.get("iso_mounted")),
            raw=data,
        )


@dataclass(frozen=True)
class UpgradePackage:
    """`id` is the pkg_id to order with. The live list has been seen with only product_id
    and rate_monthly: then `id` is None, because nothing says what such a package is
    ordered with, and an upgrade is billable."""

    id: int | None
    name: str
    product_id: int | None = None
    product_name: str = ""
    cores: int | None = None
    ram_mb: int | None = None
    disk_gb: Decimal | None = None
    price: Decimal | None = None
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> UpgradePackage:
        price = data.get("product_price", data.get("rate_monthly"))
        vm_ram_gb = to_decimal(data.get("product_vm_memory"))
        return cls(
            id=to_int(data.get("pkg_id")),
            name=to_str(data.get("product_name")) or to_str(data.get("pkg_name")),
            product_id=to_int(data.get("product_id")),
            product_name=to_str(data.get("product_name")),
            cores=to_int(data.get("pkg_cores", data.get("product_vm_cores"))),
            ram_mb=to_int(data.get("pkg_ram")) or (int(vm_ram_gb * 1024) if vm_ram_gb else None),
            disk_gb=to_decimal(data.get("pkg_disk", data.get("product_vm_storage"))),
            price=to_decimal(price),
            raw=data,
        )


@dataclass(frozen=True)
class Contact:
    id: int | None
    name: str
    email: str = ""
    phone: str = ""
    username: str = ""
    is_admin: bool = False
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> Contact:
        return cls(
            id=to_int(data.get("contact_id")),
            name=to_str(data.get("contact_name")),
            email=to_str(data.get("contact_email")),
            phone=to_str(data.get("contact_phone")),
            username=to_str(data.get("contact_username")),
            is_admin=to_bool(data.get("contact_admin"))
            or to_str(data.get("contact_access_level")) == "admin",
            raw=data,
        )


@dataclass(frozen=True)
class Account:
    id: int | None
    name: str
    company_no: str = ""
    address: str = ""
    address2: str = ""
    zipcode: str = ""
    city: str = ""
    province: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""
    billing_email: str = ""
    contacts: tuple[Contact, ...] = ()
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> Account:
        contacts = to_list(data.get("cust_contacts")) or to_list(data.get("contacts"))
        return cls(
            id=to_int(data.get("cust_id")),
            name=to_str(data.get("cust_name")),
            company_no=to_str(data.get("cust_company_no")),
            address=to_str(data.get("cust_address")),
            address2=to_str(data.get("cust_address2")),
            zipcode=to_str(data.get("cust_zipcode")),
            city=to_str(data.get("cust_city")),
            province=to_str(data.get("cust_province")),
            country=to_str(data.get("cust_country")),
            phone=to_str(data.get("cust_phone")),
            email=to_str(data.get("cust_email")),
            billing_email=to_str(data.get("cust_billing_email")),
            contacts=tuple(Contact.from_api(c) for c in contacts),
            raw=data,
        )


@dataclass(frozen=True)
class Invoice:
    id: int | None
    number: str
    order_id: int | None = None
    order_number: str = ""
    filename: str = ""
    date: datetime | None = None
    due_date: datetime | None = None
    is_paid: bool = False
    total: Decimal | None = None
    vat: Decimal | None = None
    total_with_vat: Decimal | None = None
    raw: dict = _raw()

    @classmethod
    def from_api(cls, data: dict) -> Invoice:
        return cls(
            id=to_int(data.get("inv_id")),
            number=to_str(data.get("inv_number")),
            order_id=to_int(data.get("order_id")),
            order_number=to_str(data.get("order_number")),
            filename=to_str(data.get("inv_filename")),
            date=to_datetime(data.get("inv_date")),
            due_date=to_datetime(data.get("inv_duedate")),
            is_paid=to_bool(data.get("inv_paid")),
            total=to_decimal(data.get("inv_total")),
            vat=to_decimal(data.get("inv_vat")),
            total_with_vat=to_decimal(data.get("inv_total_vat")),
            raw=data,
        )
