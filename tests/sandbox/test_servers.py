import ipaddress

import pytest

from terrahost_client.sandbox import MAX_PER_PAGE, SandboxApp, totp_code

from .conftest import Api, assert_error, find

DOC_V4 = [ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]
BENCH_V4 = ipaddress.ip_network("198.18.0.0/15")
DOC_V6 = ipaddress.ip_network("2001:db8::/32")


def words(text):
    return set(text.split())


# Every field the reference's server examples show.
DOC_SERVER_FIELDS = words(
    """
    srv_id srv_tag product_id cust_id node_id pmx_id os_id nic_id iso_id bwpool_id srv_name
    srv_status srv_status_rescue srv_status_install srv_status_snapshot srv_status_mount
    srv_status_method srv_status_reboot srv_label srv_manufacturer srv_model srv_motherboard
    srv_date_created srv_vps_type srv_hostname srv_bw srv_feature_reinstall srv_feature_mgmt
    srv_feature_preconf srv_mgmt_type srv_formfactor srv_cores srv_ram srv_ram_type
    srv_ram_sticks srv_ram_vendor srv_vnc_port srv_vnc_password srv_vnc_token srv_suspended
    srv_custom_partition srv_new srv_location srv_type srv_primary_ip os ips cancelled
    """
)
DOC_DETAIL_FIELDS = DOC_SERVER_FIELDS - {"srv_status_method", "srv_primary_ip"} | words(
    """
    srv_vmware_id srv_deleted srv_deleted_date srv_bw_notice srv_migration_state ipmi_session
    cpus hdds subnets order attacklogs node bw_used bw_used_in bw_used_out location
    """
)
STRING_FIELDS = ("srv_id", "cust_id", "os_id", "iso_id", "srv_bw", "srv_cores", "srv_status_reboot")


def in_doc_v4(address):
    ip = ipaddress.ip_address(address)
    return any(ip in net for net in DOC_V4) or ip in BENCH_V4


def test_the_list_has_the_recorded_envelope_and_pagination_meta(api):
    body = api.get("/servers").json()
    meta = body["meta"]
    assert meta["status"] == 200 and meta["status_message"] == "200 OK"
    assert meta["maintenance"] is False and isinstance(meta["time"], int)
    assert (meta["page"], meta["per_page"], meta["total_pages"], meta["total"]) == (1, 100, 1, 8)
    assert meta["vps"] + meta["dedicated"] == 8 and meta["active"] == 8
    assert len(body["data"]) == 8


def test_rows_carry_every_documented_field_typed_as_documented(api):
    rows = api.servers()
    for row in rows:
        assert set(row) >= DOC_SERVER_FIELDS, DOC_SERVER_FIELDS - set(row)
        for name in STRING_FIELDS:
            assert isinstance(row[name], str), (name, row[name])
        assert isinstance(row["srv_status"], bool)
        # As recorded: srv_label is the provider's label, srv_name the customer's own name.
        assert row["srv_label"] == f"srv{row['srv_id']}.terrahost.no"
        assert row["srv_name"] and row["srv_name"] != row["srv_label"]
        assert row["srv_type"] in ("vps", "dedicated")
        assert row["srv_vps_type"] == ("kvm" if row["srv_type"] == "vps" else "")
        assert {"datacenter", "srv_feature_snapshot", "bw_used"} <= set(row)  # recorded-only
        assert in_doc_v4(row["srv_primary_ip"])
        for ip in row["ips"]:
            if ip["ip_v4v6"] == "ipv4":
                assert in_doc_v4(ip["ip_address"])
            else:
                assert ipaddress.ip_address(ip["ip_address"]) in DOC_V6


def test_the_default_data_is_varied(api):
    rows = api.servers()
    assert {r["srv_type"] for r in rows} == {"vps", "dedicated"}
    assert len({r["srv_location"] for r in rows}) >= 3
    assert {"web-01", "db-primary"} <= {r["srv_name"] for r in rows}
    # srv_ram as "2" (string), 64 (number) and 0.25 (fraction), as seen live.
    ram_types = {type(r["srv_ram"]) for r in rows}
    assert ram_types == {str, int, float}
    assert 0.25 in [r["srv_ram"] for r in rows]
    # Booleans in three styles across servers; timestamps as strings and numbers.
    assert {type(r["srv_status_upgrade"]) for r in rows} == {str, int, bool}
    assert {type(r["srv_date_created"]) for r in rows} == {str, int}
    assert any(r["order"] == {"order_billing_date": None} for r in rows)


def test_the_detail_is_a_one_element_array_with_hardware(api):
    rows = {r["srv_name"]: r for r in api.servers()}
    vps = api.server(rows["web-01"]["srv_id"])
    assert set(vps) >= DOC_DETAIL_FIELDS, DOC_DETAIL_FIELDS - set(vps)
    assert vps["cpus"] == [] and vps["location"] == []
    assert vps["hdds"][0]["hdd_manufacturer"] == "Proxmox"
    assert vps["ipmi_session"] is None
    assert all(ipaddress.ip_network(s["sub_cidr"]).subnet_of(DOC_V6) for s in vps["subnets"])
    dedicated = api.server(rows["db-replica"]["srv_id"])
    assert dedicated["cpus"][0]["cpu_manufacturer"] == "AMD"
    assert len(dedicated["hdds"]) == 2
    assert dedicated["location"]["dc_location"] == "DC3"
    assert dedicated["srv_ram"] == 64


def test_unknown_servers_and_routes_answer_404(api):
    assert_error(api.get("/servers/999999"), 404, "Server not found")
    assert_error(api.get("/servers/999999/powerstate"), 404)
    assert_error(api.get("/nothing/here"), 404)
    assert_error(api.get("/servers/abc"), 404)
    assert api.get("/servers/3523/").status_code == 200  # a trailing slash is fine


def test_a_wrong_method_answers_405(api):
    response = api.post("/servers")
    assert_error(response, 405)
    assert response.headers["Allow"] == "GET"


def test_pagination_with_page_and_per_page(api):
    first = api.get("/servers", params={"per_page": 3}).json()
    assert first["meta"]["total_pages"] == 3 and len(first["data"]) == 3
    third = api.get("/servers", params={"per_page": 3, "page": 3}).json()
    assert len(third["data"]) == 2
    beyond = api.get("/servers", params={"per_page": 3, "page": 9}).json()
    assert beyond["data"] == [] and beyond["meta"]["page"] == 9
    capped = api.get("/servers", params={"per_page": 100000}).json()
    assert capped["meta"]["per_page"] == MAX_PER_PAGE == 100
    for bad in ("0", "-1", "x", ""):
        assert_error(api.get("/servers", params={"page": bad}), 400, "page")


def test_rename_changes_srv_name_at_once_and_keeps_the_label(api):
    row = api.servers()[0]
    srv_id = row["srv_id"]
    assert (row["srv_name"], row["srv_label"]) == ("web-01", f"srv{srv_id}.terrahost.no")
    response = api.put(f"/servers/{srv_id}/name", json={"name": "Web frontend"})
    assert response.status_code == 200
    assert response.json()["meta"]["message"] == "Server name has been updated."
    assert "data" not in response.json()
    detail = api.server(srv_id)
    assert detail["srv_name"] == "Web frontend"
    assert detail["srv_label"] == f"srv{srv_id}.terrahost.no"
    assert detail["srv_hostname"] == "web-01.example.com"
    listed = api.servers()[0]  # the cached list row too
    assert (listed["srv_name"], listed["srv_label"]) == ("Web frontend", row["srv_label"])
    entry = detail["activity_log"][0]["log_entry"]
    assert entry == f"Name of server #{srv_id} changed from web-01 to Web frontend."


def test_names_and_labels_match_the_recorded_colocation_box(api):
    """The recording: srv_name "core.giga.example.no", srv_label "srv4452.terrahost.no"."""
    colo = next(r for r in api.servers() if r["srv_ram"] == 0.25)
    assert colo["srv_label"] == f"srv{colo['srv_id']}.terrahost.no"
    assert colo["srv_name"] == "colo-01"
    assert colo["srv_hostname"] == ""


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "  "}, {"name": "x" * 101}, {"name": 42}, {"name": "a\nb"}]
)
def test_rename_rejects_bad_names(api, body):
    srv_id = api.servers()[0]["srv_id"]
    assert_error(api.put(f"/servers/{srv_id}/name", json=body), 400)


def test_ipmi_session_lasts_three_hours(app, api):
    server = find(app, kind="vps", mgmt=True)
    before = int(app.now())
    response = api.post(f"/servers/{server.srv_id}/ipmi")
    after = int(app.now())
    data = response.json()["data"]
    assert set(data) == {"kvm_ip_address", "username", "password"}
    assert in_doc_v4(data["kvm_ip_address"]) and len(data["password"]) >= 12
    session = api.server(server.srv_id)["ipmi_session"]
    assert session["kvm_password"] == data["password"]
    assert before + 3 * 3600 <= int(session["kvm_expires"]) <= after + 3 * 3600
    again = api.post(f"/servers/{server.srv_id}/ipmi").json()["data"]["password"]
    assert again != data["password"]
    app.advance(3 * 3600 + 1)
    api.login()  # the token expired too
    assert api.server(server.srv_id)["ipmi_session"] is None


def test_ipmi_is_refused_without_management(app, api):
    for server in (find(app, colocation=True), find(app, kind="vps", mgmt=False)):
        response = api.post(f"/servers/{server.srv_id}/ipmi")
        assert_error(response, 405, "not supported")


def test_a_suspended_server_refuses_changes(app):
    api = Api(app)
    api.login("demo-2fa", "demo", code=totp_code())
    server = find(app, "demo-2fa", suspended=True)
    assert api.server(server.srv_id)["srv_suspended"] is True
    assert_error(api.get(f"/servers/{server.srv_id}/reboot"), 403, "suspended")


def test_five_thousand_servers_seed_and_list_completely():
    app = SandboxApp(seed=3, servers=5000)
    api = Api(app)
    api.login()
    seen, page = [], 1
    while True:
        body = api.get("/servers", params={"page": page}).json()
        seen += [row["srv_id"] for row in body["data"]]
        if page >= body["meta"]["total_pages"]:
            break
        page += 1
    assert page == 50 and body["meta"]["total"] == 5000
    assert len(seen) == len(set(seen)) == 5000
    addresses = [ip.address for s in app.state.servers.values() for ip in s.ips]
    v4 = [a for a in addresses if ":" not in a]
    assert len(v4) == len(set(v4)), "IPv4 addresses stay unique past the TEST-NETs"
    assert all(in_doc_v4(a) for a in v4)


def test_the_same_seed_gives_the_same_data():
    def snapshot(seed):
        api = Api(SandboxApp(seed=seed, servers=30))
        api.login()
        rows = api.get("/servers").json()["data"]
        return rows, api.server(rows[0]["srv_id"])["hdds"]

    assert snapshot(7) == snapshot(7)
    assert snapshot(7) != snapshot(8)
