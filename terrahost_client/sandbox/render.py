"""Turn state objects into the JSON shapes API v3 answers with.

The types follow the reference and the recorded responses on purpose: ids and
most numbers as strings, some numbers as numbers, booleans in three styles.
"""

import json

from . import catalog


def flag(server, value):
    """A boolean in this server's style: "0"/"1", 0/1 or false/true."""
    if server.bool_style == "str":
        return "1" if value else "0"
    if server.bool_style == "int":
        return 1 if value else 0
    return bool(value)


def ram_value(server):
    """srv_ram: "2" on VPSes, 64 on dedicated servers, 0.25 on the colocation box."""
    if server.is_vps:
        return str(server.ram)
    return server.ram


def ip_row(ip):
    return {
        "ip_id": str(ip.ip_id),
        "sub_id": str(ip.sub_id),
        "ip_v4v6": f"ipv{ip.version}",
        "ip_address": ip.address,
        "ip_reverse": ip.reverse,
        "ip_traffic_sum": "0",
        "ip_pkts_sum": "0",
        "ip_nullroute": "0",
        "ip_routed_to": str(ip.routed_to),
        "ip_type": ip.type,
        "ip_netmask": ip.netmask,
        "ip_gateway": ip.gateway,
    }


def subnet_row(server, subnet):
    row = {
        "sub_id": str(subnet.sub_id),
        "sub_parent_id": str(subnet.parent_id),
        "srv_id": str(server.srv_id),
        "device_id": "0",
        "cust_id": server.cust_id,
        "sub_type": "ipv6",
        "sub_ipv6_type": "",
        "sub_network": subnet.network,
        "sub_netmask": str(subnet.prefix),
        "sub_broadcast": "",
        "sub_gateway": subnet.gateway,
        "sub_cidr": subnet.cidr,
        "sub_vlan": subnet.vlan,
        "sub_vrf": "1",
        "sub_description": "",
        "sub_location": subnet.location,
        "sub_duid": "",
    }
    names = list(subnet.nameservers) + [""] * 5
    row["sub_ns"] = names[0]
    for n in range(2, 6):
        row[f"sub_ns{n}"] = names[n - 1]
    row["sub_rdns"] = "1" if subnet.nameservers else "0"
    row["sub_routed_to"] = str(subnet.routed_to)
    row["sub_deleted"] = "0"
    return row


def server_row(server):
    """One row of GET /servers (the detail adds more, see server_detail)."""
    primary = server.primary_ip
    created = server.created if server.created_as_int else str(server.created)
    row = {
        "srv_id": str(server.srv_id),
        "auction_id": "0",
        "srv_serverkey": server.serverkey,
        "netbox_id": "0",
        "srv_tag": "0" if server.is_vps else str(server.srv_id),
        "product_id": str(server.product_id),
        "cust_id": server.cust_id,
        "node_id": "0",
        "pmx_id": str(server.pmx_id),
        "os_id": str(server.os_id),
        "nic_id": str(server.nic_id),
        "iso_id": str(server.iso_id),
        "dc_id": catalog.DATACENTERS[server.location][0],
        "bwpool_id": "0",
        "srv_name": server.name,
        "srv_status": server.powered,
        "srv_status_rescue": False,
        "srv_status_install": server.installing,
        "srv_status_snapshot": any(s.state == "pending" for s in server.snapshots.values()),
        "srv_status_mount": server.iso_id != 0,
        "srv_status_upgrade": flag(server, server.upgrading),
        "srv_status_method": "icmp",
        "srv_status_reboot": "1" if server.rebooting else "0",
        "srv_label": server.label,
        "srv_manufacturer": server.manufacturer,
        "srv_model": server.model,
        "srv_bios": "",
        "srv_motherboard": server.motherboard,
        "srv_date_created": created,
        "srv_vps_type": "kvm" if server.is_vps else "",
        "srv_hostname": server.hostname,
        "srv_bw": "1000",
        "srv_bw_type": "cdr",
        "srv_bill_day": "1",
        "srv_bw_limit_action": "none",
        "srv_bw_limit_status": "none",
        "srv_feature_reinstall": True,
        "srv_feature_mgmt": server.mgmt,
        "srv_feature_preconf": flag(server, False),
        "srv_feature_snapshot": server.snapshot_feature,
        "srv_feature_firewall": server.firewall,
        "srv_feature_mailing": "1",
        "srv_mgmt_type": server.mgmt_type,
        "srv_formfactor": "",
        "srv_cores": str(server.cores),
        "srv_ram": ram_value(server),
        "srv_ram_type": server.ram_type,
        "srv_ram_sticks": server.ram_sticks,
        "srv_ram_vendor": "",
        "srv_vnc_port": "0",
        "srv_vnc_password": "",
        "srv_vnc_token": "",
        "srv_vmware_id": "0",
        "srv_suspended": server.suspended,
        "srv_suspend_exempt": "0",
        "srv_suspend_manual": "1" if server.suspended else "0",
        "srv_deleted": "0",
        "srv_deleted_date": "0",
        "srv_bw_notice": "0",
        "srv_migration_state": "2",
        "srv_custom_partition": "1",
        "srv_new": False,
        "srv_provision_ready": "0",
        "srv_location": server.location,
        "srv_cust_can_change_bw": "1",
        "srv_primary_ip": primary.address if primary else "",
        "srv_notes": "",
        "srv_colocation": "1" if server.colocation else "0",
        "srv_feature_backups": False,
        "srv_suspended_date": str(server.suspended_date),
        "srv_suspend_alerted": "0",
        "srv_suspend_credit": "0",
        "srv_burnin_state": "",
        "srv_burnin_date": "0",
        "srv_bw_p95_mbps": server.bw_p95,
        "srv_bw_p95_updated": str(server.created + 86400),
        "srv_persistent_vps": "0",
        "srv_type": server.kind,
        "os": catalog.server_os(server.os_id),
        "ips": [ip_row(ip) for ip in server.ips],
        "order": dict(server.order),
        "cancelled": None,
        "datacenter": catalog.datacenter(server.location),
        "srv_feature_unlimited_ipmi": 0,
        "bw_is_hourly": False,
        "bw_used": server.bw_used,
        "bw_unit": "Mbps",
        "bw_cap": 1000,
    }
    if server.install_details:  # only while an install runs, in that mode (see SandboxApp)
        row["install_details"] = dict(server.install_details)
    return row


def server_row_json(server):
    """The list row as JSON text, cached on the server until it changes."""
    if server.row_json is None:
        server.row_json = json.dumps(server_row(server), separators=(",", ":"))
    return server.row_json


def server_detail(server, now):
    """The single element of GET /servers/{id}'s `data` array."""
    row = server_row(server)
    row["os"] = catalog.server_os(server.os_id, detail=True)
    ipmi = server.ipmi if server.ipmi and int(server.ipmi["kvm_expires"]) > now else None
    row.update(
        {
            "ipmi_session": dict(ipmi) if ipmi else None,
            "management_session": None,
            "cpus": [cpu_row(server, cpu) for cpu in server.cpus],
            "hdds": [disk_row(server, disk) for disk in server.disks],
            "gpus": [],
            "volumes": [],
            "subnets": [subnet_row(server, s) for s in server.subnets],
            "attacklogs": [],
            "activity_log": [dict(entry) for entry in server.activity],
            "nics": [nic_row(server)],
            "processes": [],
            "node": server.node,
            "bw_used_in": round(server.bw_used * 0.8, 2),
            "bw_used_out": round(server.bw_used * 0.2, 2),
            "location": location_row(server),
            "pkg_id": server.pkg_id if server.upgrade_style == "pkg" else 0,
        }
    )
    return row


def cpu_row(server, cpu):
    return {
        "cpu_id": str(cpu.cpu_id),
        "srv_id": str(server.srv_id),
        "cpu_manufacturer": cpu.manufacturer,
        "cpu_name": cpu.name,
        "cpu_speed": cpu.speed,
        "cpu_full_name": f"{cpu.manufacturer} {cpu.name} {cpu.speed}MHz",
    }


def disk_row(server, disk):
    return {
        "hdd_id": str(disk.hdd_id),
        "srv_id": str(server.srv_id),
        "cust_id": server.cust_id,
        "datastore_id": "0",
        "storage_id": "0",
        "hdd_manufacturer": disk.manufacturer,
        "hdd_model": disk.model,
        "hdd_label": "",
        "hdd_type": disk.type,
        "hdd_size": disk.size,
        "hdd_space_used": disk.used,
        "hdd_serial_number": disk.serial,
        "hdd_ceph_image": "",
        "hdd_state": "",
    }


def nic_row(server):
    return {
        "nic_id": str(server.nic_id),
        "nic_speed": "1000",
        "nic_mac_address": server.nic_mac,
        "port_id": str(1000 + server.nic_id % 1000),
        "ifName": f"0/{server.nic_id % 48}",
        "ifDescr": f"Slot: 0 Port: {server.nic_id % 48} Gigabit - Level",
        "ifSpeed": "1000",
        "ifOperStatus": server.powered,
        "ifAdminStatus": True,
    }


def location_row(server):
    # The reference shows `[]` for a VPS; the recorded dedicated server an object.
    if server.is_vps:
        return []
    return {
        "dc_type": "rack",
        "dc_location": server.location,
        "dc_rack": f"Rack {1 + server.srv_id % 12}",
        "dc_rack_row": f"Row {1 + server.srv_id % 3}",
        "dc_rack_u": 1 + server.srv_id % 40,
        "dc_rack_height": 1 if server.colocation else 2,
    }


def snapshot_row(snapshot):
    # Numbers here, as the reference's example has them.
    return {
        "snap_id": snapshot.snap_id,
        "srv_id": snapshot.srv_id,
        "snap_name": snapshot.name,
        "snap_display_name": snapshot.display_name,
        "snap_time": snapshot.time,
        "snap_state": snapshot.state,
    }


def iso_row(iso, server, now, upload_seconds):
    if iso.ready:
        size = iso.final_size
    else:
        # Grows each whole second; "0" (a string, as documented) in the first one.
        elapsed = max(0, int(now - iso.started))
        size = int(iso.final_size * min(1.0, elapsed / upload_seconds)) or "0"
    return {
        "iso_id": str(iso.iso_id),
        "cust_id": iso.cust_id,
        "iso_url": iso.url,
        "iso_name": iso.name,
        "iso_hash": iso.hash,
        "iso_size": size,
        "iso_state": "ready" if iso.ready else "uploading",
        "iso_mounted": "1" if server.iso_id == iso.iso_id else "0",
    }


def package_row(server, package):
    if server.upgrade_style == "product":
        # Seen live: product_id and rate_monthly, no pkg_id.
        return {
            "product_id": str(package.product_id),
            "product_name": package.product_name,
            "product_vm_cores": str(package.cores),
            "product_vm_memory": str(package.ram_mb),
            "product_vm_storage": str(package.disk_gb),
            "rate_monthly": package.price,
        }
    return {
        "pkg_id": str(package.pkg_id),
        "product_id": str(package.product_id),
        "pkg_name": package.name,
        "pkg_cores": str(package.cores),
        "pkg_ram": str(package.ram_mb),
        "pkg_disk": str(package.disk_gb),
        "product_name": package.product_name,
        "product_price": package.price,
    }
