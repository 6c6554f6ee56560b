"""Bad input never causes a 500; a real bug does, and is counted.

Numbers are parsed from strings as ASCII digits only: str.isdigit() and int()
also accept superscript, full-width and Arabic-Indic digits, which used to crash
handlers (500) or be taken as numbers ("\u0661\u0662" as 12).
"""

import io
import json
from random import Random
from urllib.parse import quote, urlencode

import pytest

from terrahost_client.sandbox import SandboxApp, validate
from terrahost_client.sandbox import faults as faults_module
from terrahost_client.sandbox.routing import ROUTES

from .conftest import API, assert_error, find

FIELDS = [
    *("name", "os_id", "hostname", "language", "keyboard", "timezone", "ip_id", "sub_id"),
    *("dns", "iso_id", "iso_url", "pkg_id", "ip_type", "username", "password", "code"),
]
VALUES = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    10**40,
    1e308,
    "",
    " ",
    "0",
    "x" * 5000,
    "ünïcødé",
    "\x00\x1f",
    "../../etc/passwd",
    "1; DROP TABLE",
    [],
    [1, "a"],
    {},
    {"a": {"b": []}},
    "https://example.com/a.iso",
    "l2",
    "l3",
    "a.example.com",
    "101",
]
# Digits that str.isdigit() (and mostly int()) accept, but are not ASCII 0-9.
# Written as escapes: U+0660-0669 Arabic-Indic, U+FF10-FF19 full width,
# U+1D7CE.. mathematical bold, U+07C0.. NKo.
UNICODE_DIGITS = [
    "²",
    "³",
    "¹²",
    "\u0661\u0662",  # Arabic-Indic 12: int() says 12
    "\u0661\u0662\u0663\u0664\u0665\u0666",
    "\uff11\uff12",  # full-width 12
    "\uff11\uff12\uff13\uff14\uff15\uff16",
    "\U0001d7cf\U0001d7d0",
    "\u07c1",
    "\u0663",
]
# JSON literals, sent as written: 1e309 and 400-digit integers reach the server as numbers.
ODD_JSON = [
    *(json.dumps(v) for v in VALUES),
    *(json.dumps(d) for d in UNICODE_DIGITS),
    *('" 12 "', '"+12"', '"-12"', '"1_000"', '"0x1f"', '"1e3"', '"12\\n"', '"12.0"'),
    *('"NaN"', '"nan"', '"Infinity"', '"-Infinity"', '"inf"', '"1e309"', '"9999999999999999999"'),
    *("1" + "0" * 400, "-" + "9" * 400, "9" * 4000, "9" * 5000),  # 5000: over int()'s limit
    *("1e309", "-1e309", "1e-400", "-0", "0.0", "12.0", "12.5", "9007199254740993"),
    *("[[[[[1]]]]]", '{"a": {"b": {"c": [1, {"d": null}]}}}', '{"$gt": 0}'),
    *('[{"srv_id": 3523, "seconds": 5}]', '{"srv_id": {"srv_id": 1}, "seconds": [5]}'),
]
RAW_BODIES = [
    b"{",
    b"[]",
    b"null",
    b'"text"',
    b"42",
    b"\xff\xfe\x00",
    b'{"a":1}{"b":2}',
    b"NaN",
    b'{"name": NaN}',
    b'{"os_id": Infinity}',
    b"[" * 5000 + b"]" * 5000,
    b'{"name": "\\ud800"}',
    b"name=x&os_id=1",
]


def paths(app):
    server = find(app, name="web-01")
    snap_id = next(iter(server.snapshots))
    colocation = find(app, colocation=True).srv_id  # mostly 405s
    for route in ROUTES:
        path = route.template.replace("{snap_id}", str(snap_id))
        for srv_id in (server.srv_id, colocation, 999999):
            yield route.method, path.replace("{id}", str(srv_id))


def body_text(base, field, literal):
    """A JSON object: `base` with `field` set to a JSON literal, as written."""
    parts = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in base.items() if k != field]
    return "{" + ", ".join([*parts, f"{json.dumps(field)}: {literal}"]) + "}"


def baselines(server):
    """Valid bodies per route, so that each field is reached with the odd value."""
    return {
        "POST /authenticate": [
            {"username": "demo-2fa", "password": "demo", "code": "123456"},
            {"username": "demo", "password": "demo"},
        ],
        "PUT /servers/{id}/name": [{"name": "x"}],
        "POST /servers/{id}/snapshot": [{"name": "x"}],
        "POST /servers/{id}/reinstall": [
            {
                "os_id": 101,
                "hostname": "a.example.com",
                "language": "en_US",
                "keyboard": "us",
                "timezone": "UTC",
            }
        ],
        "PUT /servers/{id}/reverse": [
            {"ip_id": server.primary_ip.ip_id, "dns": "a.example.com"},
            {"sub_id": server.subnets[0].sub_id, "dns": "ns1.example.com"},
        ],
        "POST /servers/{id}/isos": [{"iso_url": "https://example.com/a.iso"}, {"iso_id": 0}],
        "POST /servers/{id}/upgrade": [{"pkg_id": 4}],
        "POST /servers/{id}/ipv4": [{"ip_type": "l3"}],
    }


def no_500s(app):
    assert app.exceptions == [], app.exceptions[:1]
    assert not any("500" in counts for counts in app.stats()["calls"].values())


def test_random_bodies_never_cause_a_500(app, api):
    rng = Random(1234)
    statuses = set()
    for method, path in sorted(set(paths(app))):
        bodies = [
            json.dumps({f: rng.choice(VALUES) for f in rng.sample(FIELDS, 3)}) for _ in range(6)
        ]
        bodies += [raw.decode("latin-1") for raw in RAW_BODIES]
        for body in bodies:
            content_type = rng.choice(["application/json", "", "application/x-www-form-urlencoded"])
            response = api.session.request(
                method,
                API + path,
                data=body.encode("latin-1", "replace"),
                headers={"Content-Type": content_type},
            )
            statuses.add(response.status_code)
            assert response.status_code < 500, (method, path, body[:80], response.text)
            assert response.json() is not None
    no_500s(app)
    assert {200, 400, 404, 405} <= statuses


def test_every_odd_value_in_every_field_of_every_route_never_causes_a_500(app, api):
    """Each odd value in each field a route reads, the other fields valid; JSON and form."""
    server = find(app, name="web-01")
    snap_id = next(iter(server.snapshots))
    valid = baselines(server)
    sent = 0
    for route in ROUTES:
        path = route.template.replace("{id}", str(server.srv_id))
        path = path.replace("{snap_id}", str(snap_id))
        for base in valid.get(route.key, [dict.fromkeys(FIELDS, "x")]):
            fields = base if route.key in valid else ["*"]
            for field in fields:
                for literal in ODD_JSON:
                    if field == "*":  # a route that reads no body: every field odd at once
                        text = "{" + ", ".join(f'"{f}": {literal}' for f in FIELDS) + "}"
                    else:
                        text = body_text(base, field, literal)
                    bodies = [("application/json", text.encode("utf-8"))]
                    value = json.loads(literal) if len(literal) < 4300 else None
                    if field != "*" and isinstance(value, str):  # the same as a form body
                        form = {k: str(v) for k, v in base.items()} | {field: value}
                        bodies.append(("application/x-www-form-urlencoded", urlencode(form)))
                    for content_type, body in bodies:
                        response = api.request(
                            route.method, path, data=body, headers={"Content-Type": content_type}
                        )
                        sent += 1
                        assert response.status_code < 500, (route.key, field, literal[:40])
                        assert response.json() is not None
    assert sent > 2000
    no_500s(app)


@pytest.mark.parametrize("name", ["page", "per_page"])
def test_odd_query_numbers_never_cause_a_500(app, api, name):
    for literal in ODD_JSON:
        value = json.loads(literal) if len(literal) < 4300 else literal
        for text in {str(value), literal}:
            response = api.session.get(f"{API}/servers?{name}={quote(text)}")
            assert response.status_code in (200, 400), (name, text[:40], response.text)
    no_500s(app)


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
@pytest.mark.parametrize("name", ["page", "per_page"])
def test_non_ascii_digits_in_page_or_per_page_answer_400(api, name, digits):
    # Arabic-Indic 12 used to be taken as 12 (int() accepts it), "²" raised a 500.
    assert_error(api.get("/servers", params={name: digits}), 400, name)


@pytest.mark.parametrize(
    "query",
    ["page=%00", "per_page=99999999999999999999", "page=1&page=x", "page=1e3", "per_page=-5"],
)
def test_odd_query_strings_never_cause_a_500(api, query):
    assert api.session.get(f"{API}/servers?{query}").status_code in (200, 400)


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("reinstall", {"os_id": "²", "hostname": "a.example.com"}, "os_id"),
        ("reinstall", {"os_id": "\u0661\u0660\u0661", "hostname": "a.example.com"}, "os_id"),
        ("reinstall", {"os_id": "\uff11\uff10\uff11", "hostname": "a.example.com"}, "os_id"),
        ("reverse", {"ip_id": "³", "dns": "a.example.com"}, "ip_id"),
        ("reverse", {"sub_id": "\u0663", "dns": "ns1.example.com"}, "sub_id"),
        ("isos", {"iso_id": "\u0660"}, "iso_id"),  # Arabic-Indic zero: not "unmount"
        ("upgrade", {"pkg_id": "\uff14"}, "pkg_id"),
        pytest.param(
            "reinstall", {"os_id": 10**400, "hostname": "a.example.com"}, "os_id", id="400-digits"
        ),
        ("reinstall", {"os_id": 1e308, "hostname": "a.example.com"}, "os_id"),
        ("reinstall", {"os_id": -101, "hostname": "a.example.com"}, "os_id"),
    ],
)
def test_non_ascii_or_out_of_range_ids_answer_400(app, api, route, body, field):
    server = find(app, name="web-01")
    method = {"reverse": "PUT"}.get(route, "POST")
    response = api.request(method, f"/servers/{server.srv_id}/{route}", json=body)
    assert_error(response, 400, f"Invalid {field}")
    assert server.installing is False and server.iso_id == 0 and server.upgrading is False


@pytest.mark.parametrize("value", ["\u0662", "²", "\U0001d7d0", "1²"])
def test_odd_digits_are_not_ids_in_form_bodies_either(app, api, value):
    srv_id = find(app, name="web-01").srv_id
    response = api.post(f"/servers/{srv_id}/upgrade", data={"pkg_id": value})
    assert_error(response, 400, "Invalid pkg_id")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7, 7),
        ("7", 7),
        (" 42 ", 42),
        (7.0, 7),
        ("0", 0),
        ("9" * 18, 10**18 - 1),
        ("9" * 19, None),
        (10**18, None),
        (-1, None),
        ("-1", None),
        ("+1", None),
        ("1_0", None),
        ("²", None),
        ("\u0661\u0662", None),
        ("\uff11\uff12", None),
        ("12\n3", None),
        (1e309, None),
        (float("nan"), None),
        (7.5, None),
        (True, None),
        ({"a": 1}, None),
        ([1], None),
    ],
)
def test_integer_takes_ascii_digits_and_bounded_numbers_only(value, expected):
    if expected is None:
        with pytest.raises(validate.BadRequest):
            validate.integer(value, "x")
    else:
        assert validate.integer(value, "x") == expected


@pytest.mark.parametrize(
    "segment",
    [
        "²",
        "\uff11\uff12",
        "\u0661\u0662",
        pytest.param("9" * 400, id="400-digits"),
        "-1",
        "1e3",
        "%F0%9F%98%80",
        "3523²",
    ],
)
def test_odd_path_ids_answer_404_or_405(api, segment):
    for route in ROUTES:
        if "{id}" not in route.template:
            continue
        path = route.template.replace("{id}", segment).replace("{snap_id}", segment)
        response = api.request(route.method, path)
        assert response.status_code in (404, 405), (route.key, segment, response.text)


@pytest.mark.parametrize(
    "length",
    [
        "²",
        "\u0661\u0662",
        "\uff11\uff12",
        "-1",
        "1e3",
        pytest.param("9" * 400, id="400-digits"),
        "0x10",
    ],
)
def test_an_odd_content_length_answers_400(app, length):
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v3/authenticate",
        "CONTENT_LENGTH": length,
        "wsgi.input": io.BytesIO(b'{"username": "demo", "password": "demo"}'),
    }
    reply = app.handle(environ)
    assert reply.status == 400
    assert "Content-Length" in reply.payload["meta"]["message"]
    no_500s(app)


# --- the control plane -----------------------------------------------------------


def control_bodies(app):
    """(path, JSON text) for each control-plane field and each odd literal."""
    srv_id = find(app, name="web-01").srv_id
    for literal in ODD_JSON:
        for key in sorted(faults_module.KEYS):
            yield "/faults", f'{{"{key}": {literal}}}'
        yield "/faults", f'{{"hide_server": {{"srv_id": {literal}, "seconds": 5}}}}'
        yield "/faults", f'{{"hide_server": {{"srv_id": {srv_id}, "seconds": {literal}}}}}'
        yield "/faults", f'{{"hide_server": [{{"srv_id": {srv_id}, "seconds": {literal}}}]}}'
        yield "/faults", f'{{"routes": [{literal}]}}'
        yield "/faults", f'{{"error_rate": 0.5, "latency_ms": {literal}}}'
        yield "/clock", f'{{"advance": {literal}}}'
        yield "/faults", literal
        yield "/clock", literal


def test_odd_control_plane_input_never_causes_a_500(app, anon):
    statuses = set()
    for path, text in control_bodies(app):
        response = anon.control(
            "POST", path, data=text.encode(), headers={"Content-Type": "application/json"}
        )
        statuses.add(response.status_code)
        assert response.status_code in (200, 400), (path, text[:60], response.text)
        assert response.json()
        if path == "/faults" and response.status_code == 200:
            anon.control("POST", "/faults", json={})  # no latency or errors for the next one
    assert statuses == {200, 400}
    no_500s(app)
    assert app.state.clock.offset < 100  # no odd value moved the clock far


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"advance": 10**400}, id="400-digits"),
        pytest.param({"advance": -(10**400)}, id="minus-400-digits"),
        {"advance": "1"},
        {"advance": "NaN"},
        {"advance": "Infinity"},
        {"advance": [1]},
        {"advance": {"seconds": 1}},
    ],
)
def test_huge_or_non_numeric_clock_advances_answer_400(app, anon, body):
    response = anon.control("POST", "/clock", json=body)
    assert response.status_code == 400, response.text
    assert "advance" in response.json()["error"]
    assert app.state.clock.offset == 0


@pytest.mark.parametrize("key", ["latency_ms", "error_rate", "retry_after", "timeout_hold_seconds"])
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1" + "0" * 400, id="400-digits"),
        pytest.param("-" + "9" * 400, id="minus-400-digits"),
        *("1e309", '"NaN"', '{"a": 1}'),
    ],
)
def test_huge_or_non_numeric_fault_numbers_answer_400(app, anon, key, text):
    response = anon.control(
        "POST", "/faults", data=f'{{"{key}": {text}}}', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert key in response.json()["error"]
    assert app.faults == faults_module.Faults()


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(10**400, id="400-digits"),
        pytest.param(-(10**400), id="minus-400-digits"),
        *(float("nan"), float("inf"), -1e309, "5", [5]),
    ],
)
def test_the_python_control_api_raises_value_error_for_odd_numbers(value):
    app = SandboxApp(seed=1, servers=1)
    with pytest.raises(ValueError, match="advance"):
        app.advance(value)
    with pytest.raises(ValueError, match="latency_ms"):
        app.set_faults({"latency_ms": value})
    with pytest.raises(ValueError, match="token_lifetime"):
        SandboxApp(seed=1, servers=1, token_lifetime=value)
    assert app.exceptions == []


def test_odd_headers_never_cause_a_500(anon):
    for header in ("Bearer", "bearer x y", "Token abc", "Bearer \u00e6", "Bearer " + "a" * 10000):
        response = anon.get("/servers", headers={"Authorization": header})
        assert_error(response, 401)


def test_an_unexpected_exception_becomes_a_counted_500_envelope(app, api, monkeypatch):
    route = next(r for r in ROUTES if r.key == "GET /my/account")

    def broken(ctx):
        raise RuntimeError("a bug")

    monkeypatch.setattr(route, "handler", broken)
    response = api.get("/my/account")
    assert_error(response, 500, "Internal server error")
    assert app.stats()["calls"]["GET /my/account"] == {"500": 1}
    assert "RuntimeError: a bug" in app.exceptions[0]


def test_paths_outside_the_api_answer_404(anon):
    response = anon.session.get("http://sandbox.test/api/v2/servers")
    assert response.status_code == 404
    assert response.json()["meta"]["status"] == 404
