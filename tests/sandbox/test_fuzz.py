"""Bad input never causes a 500; a real bug does, and is counted."""

import json
from random import Random

import pytest

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
    server = find(app, label="web-01")
    snap_id = next(iter(server.snapshots))
    colocation = find(app, colocation=True).srv_id  # mostly 405s
    for route in ROUTES:
        path = route.template.replace("{snap_id}", str(snap_id))
        for srv_id in (server.srv_id, colocation, 999999):
            yield route.method, path.replace("{id}", str(srv_id))


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
    assert app.exceptions == []
    assert not any("500" in counts for counts in app.stats()["calls"].values())
    assert {200, 400, 404, 405} <= statuses


@pytest.mark.parametrize(
    "query",
    ["page=%00", "per_page=99999999999999999999", "page=1&page=x", "page=1e3", "per_page=-5"],
)
def test_odd_query_strings_never_cause_a_500(api, query):
    assert api.session.get(f"{API}/servers?{query}").status_code in (200, 400)


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
