import base64
import struct
import zlib

from .conftest import find

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(data):
    """Check a PNG byte by byte; return (width, height, pixel rows)."""
    assert data.startswith(PNG_SIGNATURE)
    position, chunks = len(PNG_SIGNATURE), []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        chunks.append((kind, body))
        position += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND"
    width, height, depth, colour, *_ = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour) == (8, 3)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(raw) == height * (width + 1)
    return width, height, raw


def decode(value):
    prefix = "data:image/png;base64,"
    return base64.b64decode(value[len(prefix) :] if value.startswith(prefix) else value)


def test_my_account_has_fields_at_the_top_level(api):
    body = api.get("/my/account").json()
    assert body["success"] is True
    assert "meta" not in body and "data" not in body
    assert body["cust_id"] == "19998" and body["cust_email"]
    contacts = body["cust_contacts"]
    assert len(contacts) == 2
    assert {"contact_id", "contact_name", "contact_email", "contact_admin"} <= set(contacts[0])


def test_my_invoices_mix_string_and_number_money(api):
    body = api.get("/my/invoices").json()
    assert set(body) == {"success", "invoices"}
    invoices = body["invoices"]
    assert len(invoices) >= 4
    assert any(isinstance(i["inv_total"], str) for i in invoices)
    assert any(isinstance(i["inv_total"], int | float) for i in invoices)
    paid = {str(i["inv_paid"]) for i in invoices}
    assert paid == {"0", "1"}


def test_graphs_are_real_pngs_distinct_per_period(app, api):
    srv_id = find(app, kind="vps").srv_id
    for kind in ("port_bits", "port_upkts"):
        data = api.get(f"/servers/{srv_id}/{kind}").json()["data"]
        assert set(data) == {"graph_day", "graph_week", "graph_month", "graph_year"}
        images = {name: decode(value) for name, value in data.items()}
        for image in images.values():
            width, height, raw = read_png(image)
            assert (width, height) == (400, 150)
            assert len(set(raw)) > 3  # more than a blank canvas
        assert len(set(images.values())) == 4
    bits = api.get(f"/servers/{srv_id}/port_bits").json()["data"]["graph_day"]
    packets = api.get(f"/servers/{srv_id}/port_upkts").json()["data"]["graph_day"]
    assert bits != packets


def test_some_servers_prefix_their_graphs_with_a_data_uri(app, api):
    styles = set()
    for srv_id in app.state.accounts["demo"].server_ids[:3]:
        value = api.get(f"/servers/{srv_id}/port_bits").json()["data"]["graph_week"]
        prefixed = value.startswith("data:image/png;base64,")
        assert prefixed == app.state.servers[srv_id].graph_data_uri
        styles.add(prefixed)
    assert styles == {True, False}
