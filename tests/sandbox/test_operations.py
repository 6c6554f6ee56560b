"""Snapshots, reinstall, reverse DNS, ISOs, upgrades and IPv4 orders, over simulated time."""

import pytest

from terrahost_client.sandbox import (
    IPV4_DELAY,
    ISO_DELAY,
    REINSTALL_DELAY,
    SNAPSHOT_DELAY,
    UPGRADE_DELAY,
)

from .conftest import assert_error, find

# --- snapshots ------------------------------------------------------------------


def test_snapshots_are_created_pending_then_completed_and_deleted(app, api):
    server = find(app, name="web-02")
    path = f"/servers/{server.srv_id}"
    before = api.get(f"{path}/snapshots").json()["data"]
    response = api.post(f"{path}/snapshot", json={"name": "before-upgrade"})
    assert response.status_code == 200
    assert response.json() == {
        "meta": {**response.json()["meta"], "message": "Snapshot is currently being created."}
    }
    snaps = api.get(f"{path}/snapshots").json()["data"]
    new = next(s for s in snaps if s["snap_display_name"] == "before-upgrade")
    assert len(snaps) == len(before) + 1
    assert new["snap_state"] == "pending" and isinstance(new["snap_id"], int)
    assert new["srv_id"] == server.srv_id and isinstance(new["snap_time"], int)
    assert api.server(server.srv_id)["srv_status_snapshot"] is True
    assert_error(api.delete(f"{path}/snapshot/{new['snap_id']}"), 400, "still being created")
    app.advance(SNAPSHOT_DELAY)
    snaps = api.get(f"{path}/snapshots").json()["data"]
    assert {s["snap_id"]: s["snap_state"] for s in snaps}[new["snap_id"]] == "completed"
    response = api.delete(f"{path}/snapshot/{new['snap_id']}")
    assert response.json()["meta"]["message"] == "Snapshot has been deleted."
    assert len(api.get(f"{path}/snapshots").json()["data"]) == len(before)
    assert_error(api.delete(f"{path}/snapshot/{new['snap_id']}"), 404, "Snapshot not found")


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 65}, {"name": ["a"]}])
def test_snapshot_names_are_checked(app, api, body):
    srv_id = find(app, kind="vps").srv_id
    assert_error(api.post(f"/servers/{srv_id}/snapshot", json=body), 400)


def test_one_pending_snapshot_at_a_time_and_a_limit_of_three(app, api):
    server = find(app, name="web-01")  # has two snapshots already
    path = f"/servers/{server.srv_id}/snapshot"
    assert api.post(path, json={"name": "a"}).status_code == 200
    assert_error(api.post(path, json={"name": "b"}), 400, "already being created")
    app.advance(SNAPSHOT_DELAY)
    assert_error(api.post(path, json={"name": "c"}), 400, "limit")


def test_snapshots_are_for_virtual_servers_only(app, api):
    srv_id = find(app, kind="dedicated").srv_id
    assert_error(api.get(f"/servers/{srv_id}/snapshots"), 405, "not supported")
    assert_error(api.post(f"/servers/{srv_id}/snapshot", json={"name": "x"}), 405)


# --- reinstall ------------------------------------------------------------------


def test_distributions_and_their_operating_systems(api):
    distros = api.get("/reinstall/distro").json()["data"]
    assert len(distros) >= 5
    assert all(isinstance(d["dist_id"], str) and d["dist_logo"] for d in distros)
    ubuntu = next(d for d in distros if d["dist_value"] == "ubuntu")
    systems = api.get(f"/reinstall/distro/{ubuntu['dist_id']}").json()["data"]
    assert {"102", "116"} <= {s["os_id"] for s in systems}
    assert all(s["dist_id"] == ubuntu["dist_id"] for s in systems)
    assert_error(api.get("/reinstall/distro/999"), 404)


def test_reinstall_returns_a_password_at_the_top_level_then_finishes(app, api):
    server = find(app, name="web-01")
    path = f"/servers/{server.srv_id}/reinstall"
    body = {
        "os_id": 101,
        "hostname": "fresh.example.com",
        "language": "en_US",
        "keyboard": "no",
        "timezone": "Europe/Oslo",
    }
    first = api.post(path, json=body).json()
    assert first["message"] == "Server install has been initiated."
    assert first["reboot"] is True and len(first["root_passwd"]) >= 12
    assert set(first) == {"meta", "message", "reboot", "root_passwd"}
    detail = api.server(server.srv_id)
    assert detail["srv_status_install"] is True and detail["os_id"] == "102"
    assert_error(api.post(path, json=body), 400, "already in progress")
    app.advance(REINSTALL_DELAY)
    detail = api.server(server.srv_id)
    assert detail["srv_status_install"] is False
    assert (detail["os_id"], detail["os"]["os_id"]) == ("101", "101")
    assert detail["srv_hostname"] == "fresh.example.com"
    second = api.post(path, json=body).json()
    assert second["root_passwd"] != first["root_passwd"]


@pytest.mark.parametrize("empty", ["language", "keyboard", "timezone"])
def test_an_empty_locale_setting_stalls_the_installer_forever(app, api, empty):
    server = find(app, name="web-02")
    body = {
        "os_id": 101,
        "hostname": "stuck.example.com",
        "language": "en_US",
        "keyboard": "us",
        "timezone": "Europe/Oslo",
        empty: "",
    }
    assert api.post(f"/servers/{server.srv_id}/reinstall", json=body).status_code == 200
    app.advance(REINSTALL_DELAY * 100)
    api.login()
    detail = api.server(server.srv_id)
    assert detail["srv_status_install"] is True and detail["os_id"] == "101"
    assert detail["srv_hostname"] == "web-02.example.com"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"hostname": "a.example.com"}, "os_id"),
        ({"os_id": 101}, "hostname"),
        ({"os_id": 999, "hostname": "a.example.com"}, "Unknown os_id"),
        ({"os_id": "abc", "hostname": "a.example.com"}, "os_id"),
        ({"os_id": True, "hostname": "a.example.com"}, "os_id"),
        ({"os_id": 101, "hostname": "-bad-.example.com"}, "hostname"),
        ({"os_id": 101, "hostname": "under_score.example.com"}, "hostname"),
        ({"os_id": 101, "hostname": "a" * 64 + ".example.com"}, "hostname"),
        ({"os_id": 101, "hostname": "10.0.0.1"}, "hostname"),
        ({"os_id": 110, "hostname": "win.example.com"}, "dedicated servers"),
        ({"os_id": 116, "hostname": "new.example.com"}, "RAM"),
    ],
)
def test_reinstall_rejects_bad_input(app, api, body, message):
    server = find(app, name="web-01")  # a 2 GB VPS
    full = {"language": "en_US", "keyboard": "us", "timezone": "Europe/Oslo", **body}
    assert_error(api.post(f"/servers/{server.srv_id}/reinstall", json=full), 400, message)
    assert app.state.servers[server.srv_id].installing is False


# --- reverse DNS ----------------------------------------------------------------


def test_reverse_dns_for_ipv4_and_ipv6_shows_at_once(app, api):
    server = find(app, name="web-01")
    ipv4 = server.primary_ip
    subnet = server.subnets[0]
    path = f"/servers/{server.srv_id}/reverse"
    response = api.put(path, json={"ip_id": ipv4.ip_id, "dns": "www.example.com."})
    assert response.json()["meta"]["message"] == "Reverse DNS has been updated."
    response = api.put(path, json={"sub_id": str(subnet.sub_id), "dns": "ns1.example.com"})
    assert response.status_code == 200
    detail = api.server(server.srv_id)
    ip = next(i for i in detail["ips"] if i["ip_id"] == str(ipv4.ip_id))
    assert ip["ip_reverse"] == "www.example.com"
    assert detail["subnets"][0]["sub_ns"] == "ns1.example.com"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"dns": "a.example.com"}, "ip_id or sub_id"),
        ({"ip_id": 1, "sub_id": 1, "dns": "a.example.com"}, "not both"),
        ({"ip_id": 1, "dns": "a.example.com"}, "Unknown ip_id"),
        ({"sub_id": 1, "dns": "a.example.com"}, "Unknown sub_id"),
        ({"ip_id": "PRIMARY"}, "dns"),
        ({"ip_id": "PRIMARY", "dns": "no spaces.example.com"}, "dns"),
        ({"ip_id": "PRIMARY", "dns": "localhost"}, "dns"),
        ({"ip_id": "PRIMARY", "dns": "x..example.com"}, "dns"),
        ({"ip_id": "PRIMARY", "dns": 5}, "dns"),
        ({"ip_id": "V6", "dns": "a.example.com"}, "sub_id"),
    ],
)
def test_reverse_dns_rejects_bad_input(app, api, body, message):
    server = find(app, name="web-01")
    v6 = next(ip for ip in server.ips if ip.version == 6)
    ids = {"PRIMARY": server.primary_ip.ip_id, "V6": v6.ip_id}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    assert_error(api.put(f"/servers/{server.srv_id}/reverse", json=body), 400, message)


# --- ISOs -----------------------------------------------------------------------


def test_an_iso_uploads_then_mounts(app, api):
    server = find(app, name="web-01")
    path = f"/servers/{server.srv_id}/isos"
    url = "https://mirror.example.com/images/rescue-1.2.iso"
    response = api.post(path, json={"iso_url": url})
    assert response.json()["meta"]["message"] == "ISO upload has been started."
    iso = next(i for i in api.get(path).json()["data"] if i["iso_url"] == url)
    assert (iso["iso_name"], iso["iso_state"], iso["iso_size"]) == (
        "rescue-1.2.iso",
        "uploading",
        "0",
    )
    assert_error(api.post(path, json={"iso_id": iso["iso_id"]}), 400, "not ready")
    app.advance(ISO_DELAY / 2)
    halfway = next(i for i in api.get(path).json()["data"] if i["iso_url"] == url)
    assert isinstance(halfway["iso_size"], int) and halfway["iso_size"] > 0
    app.advance(ISO_DELAY / 2)
    api.login()
    ready = next(i for i in api.get(path).json()["data"] if i["iso_url"] == url)
    assert ready["iso_state"] == "ready" and ready["iso_size"] > halfway["iso_size"]
    response = api.post(path, json={"iso_id": ready["iso_id"]})
    assert response.json()["meta"]["message"] == "ISO has been mounted."
    mounted = next(i for i in api.get(path).json()["data"] if i["iso_url"] == url)
    assert mounted["iso_mounted"] == "1"
    detail = api.server(server.srv_id)
    assert detail["iso_id"] == ready["iso_id"] and detail["srv_status_mount"] is True
    api.post(path, json={"iso_id": 0})
    assert api.server(server.srv_id)["srv_status_mount"] is False


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"iso_url": "ftp://example.com/x.iso"},
        {"iso_url": "https://example.com/x.img"},
        {"iso_url": "https:///x.iso"},
        {"iso_url": "not a url.iso"},
        {"iso_url": 12},
        {"iso_id": 424242},
        {"iso_id": "abc"},
        {"iso_id": 101, "iso_url": "https://example.com/x.iso"},
    ],
)
def test_bad_iso_requests_answer_400(app, api, body):
    srv_id = find(app, name="web-01").srv_id
    assert_error(api.post(f"/servers/{srv_id}/isos", json=body), 400)


# --- upgrades -------------------------------------------------------------------


def test_an_upgrade_changes_cores_ram_and_disk_after_a_delay(app, api):
    server = find(app, name="web-01")  # KVM 2048
    path = f"/servers/{server.srv_id}/upgrade"
    packages = api.get(path).json()["data"]
    assert packages[0]["pkg_id"] == "4" and packages[0]["product_price"] == "299.00"
    response = api.post(path, json={"pkg_id": "4"})
    assert response.json()["meta"]["message"] == "Server upgrade has been initiated."
    assert api.server(server.srv_id)["srv_cores"] == "2"
    assert_error(api.post(path, json={"pkg_id": 4}), 400, "already in progress")
    app.advance(UPGRADE_DELAY)
    detail = api.server(server.srv_id)
    assert (detail["srv_cores"], detail["srv_ram"], detail["hdds"][0]["hdd_size"]) == (
        "4",
        "4",
        "50",
    )
    assert detail["order"]["product_name"] == "KVM 4096"


def test_some_upgrade_lists_have_product_ids_and_no_pkg_id(app, api):
    server = find(app, upgrade_style="product", kind="vps")
    path = f"/servers/{server.srv_id}/upgrade"
    packages = api.get(path).json()["data"]
    assert packages and all("pkg_id" not in p and "rate_monthly" in p for p in packages)
    assert_error(api.post(path, json={"pkg_id": 4}), 400, "Unknown pkg_id")
    assert api.post(path, json={"pkg_id": packages[0]["product_id"]}).status_code == 200


def test_upgrades_reject_bad_packages_and_dedicated_servers(app, api):
    srv_id = find(app, name="web-01").srv_id
    for body in ({}, {"pkg_id": 999}, {"pkg_id": 2}, {"pkg_id": "x"}):
        assert_error(api.post(f"/servers/{srv_id}/upgrade", json=body), 400)
    dedicated = find(app, kind="dedicated").srv_id
    assert api.get(f"/servers/{dedicated}/upgrade").json()["data"] == []
    assert_error(api.post(f"/servers/{dedicated}/upgrade", json={"pkg_id": 4}), 400)


# --- IPv4 orders ----------------------------------------------------------------


def test_an_ipv4_order_answers_only_a_message_and_the_address_comes_later(app, api):
    server = find(app, name="backup-01")
    count = len(api.server(server.srv_id)["ips"])
    response = api.post(f"/servers/{server.srv_id}/ipv4", json={"ip_type": "l2"})
    assert response.json() == {"meta": {**response.json()["meta"]}}
    assert response.json()["meta"]["message"] == "IP address has been ordered."
    assert "." not in response.text.replace("IP address has been ordered.", "")
    assert len(api.server(server.srv_id)["ips"]) == count
    app.advance(IPV4_DELAY)
    ips = api.server(server.srv_id)["ips"]
    assert len(ips) == count + 1
    assert ips[-1]["ip_type"] == "extra" and ips[-1]["ip_routed_to"] == "0"


@pytest.mark.parametrize("body", [{}, {"ip_type": "l4"}, {"ip_type": "L3"}, {"ip_type": None}])
def test_an_ipv4_order_without_a_valid_ip_type_is_invalid_data(app, api, body):
    srv_id = find(app, name="backup-01").srv_id
    assert_error(api.post(f"/servers/{srv_id}/ipv4", json=body), 400, "Invalid data received.")


def test_an_l2_order_on_a_vps_answers_with_meta_error(app, api):
    srv_id = find(app, kind="vps").srv_id
    meta = assert_error(api.post(f"/servers/{srv_id}/ipv4", json={"ip_type": "l2"}), 400)
    assert meta["error"] == "Only routed (L3) IPs can be ordered for virtual servers."
    assert "message" not in meta
    assert api.post(f"/servers/{srv_id}/ipv4", json={"ip_type": "l3"}).status_code == 200
