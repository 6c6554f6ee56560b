"""Static catalogue data: data centres, distributions, operating systems, packages.

Values are typed the way the reference and the recorded responses type them
(mostly strings), because the sandbox serves them verbatim.
"""

# The Norwegian flag SVG that the recorded responses carry as `region_icon`.
REGION_ICON = (
    "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIGlkPSJmbGFnLWljb25zLW5vIiB2aWV3Qm94PSIw"
    "IDAgNjQwIDQ4MCI+CiAgPHBhdGggZmlsbD0iI2VkMjkzOSIgZD0iTTAgMGg2NDB2NDgwSDB6Ii8+CiAgPHBhdGggZmls"
    "bD0iI2ZmZiIgZD0iTTE4MCAwaDEyMHY0ODBIMTgweiIvPgogIDxwYXRoIGZpbGw9IiNmZmYiIGQ9Ik0wIDE4MGg2NDB2"
    "MTIwSDB6Ii8+CiAgPHBhdGggZmlsbD0iIzAwMjY2NCIgZD0iTTIxMCAwaDYwdjQ4MGgtNjB6Ii8+CiAgPHBhdGggZmls"
    "bD0iIzAwMjY2NCIgZD0iTTAgMjEwaDY0MHY2MEgweiIvPgo8L3N2Zz4K"
)

# location code -> (dc_id, region_id, dc_type, region name)
DATACENTERS = {
    "DC1": ("1", "1", "rack", "Sandefjord"),
    "DC2": ("2", "1", "tower", "Sandefjord"),
    "DC3": ("3", "2", "rack", "Oslo"),
    "DC4": ("4", "3", "rack", "Stavanger"),
}
LOCATIONS = tuple(DATACENTERS)


def datacenter(location):
    dc_id, region_id, dc_type, region = DATACENTERS[location]
    return {
        "dc_id": dc_id,
        "region_id": region_id,
        "dc_name": f"NO {location}",
        "dc_type": dc_type,
        "dc_netbox_site_id": "0",
        "dc_router_dc_id": "0",
        "region_name": region,
        "region_location": region,
        "region_country": "Norge",
        "region_icon": REGION_ICON,
    }


# dist_id -> distribution row (GET /reinstall/distro)
DISTROS = {
    1: ("CentOS", "centos", "1", "CentOS er en RHEL-kompatibel distribusjon."),
    2: ("Debian", "debian", "1", "Debian er en programvaredistribusjon."),
    3: ("Ubuntu", "ubuntu", "1", "Ubuntu er et operativsystem."),
    4: ("AlmaLinux", "almalinux", "1", "AlmaLinux er en RHEL-kompatibel distribusjon."),
    5: ("Rocky Linux", "rocky", "1", "Rocky Linux er en RHEL-kompatibel distribusjon."),
    6: ("Windows Server", "windows", "1", "Microsoft Windows Server."),
    7: ("FreeBSD", "freebsd", "1", "FreeBSD er et Unix-lignende operativsystem."),
    8: ("Proxmox VE", "proxmox", "1", "Proxmox Virtual Environment."),
}
DIST_TYPE = {6: "2"}  # type_id: Windows is its own type, the rest are Linux/Unix ("1")

# os_id -> (dist_id, os_name, os_dist, dedicated_only, minram GB, custom_partition)
OPERATING_SYSTEMS = {
    47: (1, "CentOS 6 64-bit", "6", "0", "0", "1"),
    64: (1, "CentOS 7 64-bit", "7", "0", "0", "1"),
    88: (2, "Debian 11 64-bit", "bullseye", "0", "0", "1"),
    101: (2, "Debian 12 64-bit", "bookworm", "0", "0", "1"),
    118: (2, "Debian 13 64-bit", "trixie", "0", "0", "1"),
    72: (3, "Ubuntu 18.04 LTS 64-bit", "bionic", "0", "0", "1"),
    81: (3, "Ubuntu 20.04 LTS", "focal", "0", "0", "1"),
    95: (3, "Ubuntu 22.04 LTS", "jammy", "0", "1", "1"),
    102: (3, "Ubuntu 24.04 LTS", "noble", "0", "2", "1"),
    116: (3, "Ubuntu 26.04 LTS", "resolute", "0", "4", "1"),
    105: (4, "AlmaLinux 9 64-bit", "9", "0", "1", "1"),
    106: (5, "Rocky Linux 9 64-bit", "9", "0", "1", "1"),
    110: (6, "Windows Server 2022 Standard", "2022", "1", "4", "0"),
    112: (7, "FreeBSD 14 64-bit", "14", "0", "1", "0"),
    114: (8, "Proxmox VE 8", "bookworm", "1", "8", "0"),
}


def os_release(os_id):
    return DISTROS[OPERATING_SYSTEMS[os_id][0]][1]


def distro_row(dist_id):
    name, value, active, description = DISTROS[dist_id]
    return {
        "dist_id": str(dist_id),
        "type_id": DIST_TYPE.get(dist_id, "1"),
        "dist_name": name,
        "dist_value": value,
        "dist_logo": f"/images/os/{value}.png",
        "dist_description": description,
        "dist_active": active,
    }


def os_row(os_id):
    """A row of GET /reinstall/distro/{id}."""
    dist_id, name, dist, dedicated_only, minram, custom = OPERATING_SYSTEMS[os_id]
    return {
        "os_id": str(os_id),
        "dist_id": str(dist_id),
        "os_name": name,
        "os_release": os_release(os_id),
        "os_dist": dist,
        "os_arch": "amd64",
        "os_custom_partition": custom,
        "os_single_disk_only": "1" if custom == "1" else "0",
        "os_support_raid": "1",
        "os_dedicated_only": dedicated_only,
        "os_minram": minram,
        "os_template": "",
        "os_slow_install": "1" if dist_id == 6 else "0",
    }


def server_os(os_id, detail=False):
    """The `os` object embedded in a server."""
    _dist_id, name, _dist, dedicated_only, minram, custom = OPERATING_SYSTEMS[os_id]
    row = {
        "os_id": str(os_id),
        "os_name": name,
        "os_release": os_release(os_id),
        "os_dedicated_only": dedicated_only,
        "os_minram": minram,
        "os_custom_partition": custom,
        "os_single_disk_only": "1" if custom == "1" else "0",
        "os_template": "",
    }
    if detail:
        row["dist_logo"] = f"/images/os/{os_release(os_id)}.png"
    return row


VPS_OS_CHOICES = (101, 102, 95, 88, 116, 105, 106, 81)
DEDICATED_OS_CHOICES = (102, 101, 116, 110, 114, 105)


class Package:
    """A KVM VPS package (what GET /servers/{id}/upgrade lists)."""

    def __init__(self, pkg_id, product_id, cores, ram_mb, disk_gb, price):
        self.pkg_id = pkg_id
        self.product_id = product_id
        self.cores = cores
        self.ram_mb = ram_mb
        self.disk_gb = disk_gb
        self.price = price

    @property
    def name(self):
        return f"kvm{self.ram_mb}.2018.terrahost"

    @property
    def product_name(self):
        return f"KVM {self.ram_mb}"


# The reference's example has pkg 3 = product 2058 (KVM 2048) and pkg 4 = 2059.
PACKAGES = (
    Package(2, 2057, 1, 1024, 25, "99.00"),
    Package(3, 2058, 2, 2048, 40, "199.00"),
    Package(4, 2059, 4, 4096, 50, "299.00"),
    Package(5, 2060, 4, 8192, 80, "499.00"),
    Package(6, 2061, 8, 16384, 160, "899.00"),
    Package(7, 2062, 12, 32768, 320, "1599.00"),
)
PACKAGES_BY_ID = {p.pkg_id: p for p in PACKAGES}
PACKAGES_BY_PRODUCT = {p.product_id: p for p in PACKAGES}

# Dedicated hardware: (manufacturer, model, motherboard, cpu (maker, name, MHz), cores,
# ram GB, ram type, sticks, disks ((maker, model, type, size GB), ...), product, price)
DEDICATED_MODELS = (
    (
        "Terrahost",
        "Tower",
        "ASRock B650 Pro RS",
        ("AMD", "Ryzen 9 7950X", "4500"),
        16,
        64,
        "DDR5-5200MT/s",
        "2",
        (("Samsung", "PM9A3", "NVMe", "960"), ("Samsung", "PM9A3", "NVMe", "960")),
        (4883, "Dedicated Ryzen 7950X", "1490.00"),
    ),
    (
        "Supermicro",
        "SYS-5019C-M",
        "Supermicro X11SCM-F",
        ("Intel", "Xeon E-2288G", "3700"),
        8,
        128,
        "DDR4-2666 ECC",
        "4",
        (("Micron", "5300 PRO", "SSD", "1920"), ("Seagate", "Exos X18", "HDD", "18000")),
        (4511, "Dedicated Xeon E-2288G", "1190.00"),
    ),
    (
        "Dell",
        "PowerEdge R650xs",
        "Dell 0PYXKY",
        ("Intel", "Xeon Silver 4314", "2400"),
        32,
        256,
        "DDR4-3200 ECC",
        "8",
        (
            ("Dell", "PM1735", "NVMe", "3200"),
            ("Dell", "PM1735", "NVMe", "3200"),
            ("Toshiba", "MG09", "HDD", "18000"),
        ),
        (4720, "Dedicated Xeon Silver 4314", "2890.00"),
    ),
)

# The recorded colocation box: a Cyrix 6x86, 256 MB of RAM and a 0.5 GB disk.
COLOCATION_MODEL = (
    "",
    "",
    "",
    ("Cyrix", "6x86", "133"),
    0,
    0.25,
    "",
    "0",
    (("Seagate", "Bigfoot", "HDD", "0.5"),),
    (2297, "Colocation 1U/Tower", "399.00"),
)
