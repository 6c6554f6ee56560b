"""Client overhead per call, against the in-process sandbox (no socket).

The same GET /servers/{id} is timed three ways in one run: the bare WSGI app, a plain
requests.Session through the in-process adapter, and the full client (token reuse,
envelope parsing, typed models). The differences are what each layer costs. Then the
panel's hot path: listing 5,000 servers (50 pages), as raw JSON and as typed models.
"""

import io
import time

import requests

from bench.report import figure
from terrahost_client import Client
from terrahost_client.sandbox import SandboxApp, mount

BASE = "http://sandbox.test"
CALLS = 2000
CONTEXT = "Client and sandbox alone (context, no targets)"


def _per_call(function, calls=CALLS) -> float:
    function()  # warm up
    started = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - started) / calls


def run() -> list[dict]:
    app = SandboxApp(seed=1)
    session = requests.Session()
    mount(session, app, BASE)
    client = Client("demo", "demo", base_url=BASE + "/api/v3", session=session)
    srv_id = client.servers.list()[0].id
    token = client.token.token
    path = f"/api/v3/servers/{srv_id}"
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "SERVER_NAME": "sandbox.test",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }

    def bare():
        env = dict(environ, **{"wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO()})
        b"".join(app(env, lambda status, headers, exc_info=None: None))

    headers = {"Authorization": f"Bearer {token}"}
    wsgi = _per_call(bare)
    plain = _per_call(lambda: session.get(BASE + path, headers=headers).json())
    full = _per_call(lambda: client.servers.get(srv_id))
    call = f"GET /servers/{{id}} in process ({CALLS:,} calls)"
    return [
        *_listing(),
        figure(CONTEXT, f"{call}: bare WSGI app", f"{wsgi * 1e6:.0f} us/call"),
        figure(CONTEXT, f"{call}: requests + adapter", f"{plain * 1e6:.0f} us/call"),
        figure(
            CONTEXT,
            f"{call}: terrahost_client",
            f"{full * 1e6:.0f} us/call",
            note=f"{(full - plain) * 1e6:.0f} us/call over requests alone ({full / plain:.2f}x)",
        ),
    ]


def _listing(servers: int = 5000) -> list[dict]:
    app = SandboxApp(seed=1, servers=servers)
    session = requests.Session()
    mount(session, app, BASE)
    client = Client("demo", "demo", base_url=BASE + "/api/v3", session=session)
    headers = {"Authorization": f"Bearer {client.authenticate().token}"}

    def raw_pages():
        body = session.get(BASE + "/api/v3/servers", headers=headers).json()
        for page in range(2, body["meta"]["total_pages"] + 1):
            session.get(BASE + "/api/v3/servers", params={"page": page}, headers=headers).json()

    raw = _per_call(raw_pages, calls=3)
    typed = _per_call(client.servers.list, calls=3)
    count = len(client.servers.list())
    listing = f"servers.list() of {count:,} servers in process"
    return [
        figure(CONTEXT, f"{listing}: requests + JSON only", f"{raw * 1000:.0f} ms"),
        figure(
            CONTEXT,
            f"{listing}: terrahost_client",
            f"{typed * 1000:.0f} ms",
            note=f"{(typed - raw) / count * 1e6:.0f} us/server for typed models "
            f"({typed / raw:.2f}x)",
        ),
    ]
