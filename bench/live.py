"""Figures measured from outside, over HTTP, against a live panel on loopback.

The panel is the browser tests' stack (tests/e2e/stack.py): gunicorn with production
settings (3 sync workers; 1 for the memory figure), a Celery worker and beat, Redis of
its own, the sandbox over a socket answering every API call after LATENCY_MS, and
PostgreSQL when one answers (else SQLite). The bench acts as a browser would (forms,
CSRF, htmx headers) and counts upstream calls from the sandbox's own statistics. The few
changes no page makes (a stale mirror, a connection never listed, users with grants) go
through bench/control.py, inside the panel's environment.
"""

from __future__ import annotations

import functools
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import requests

from bench import load
from bench.report import LOAD, figure
from terrahost_client.sandbox.constants import MAX_PER_PAGE, REINSTALL_DELAY, SNAPSHOT_DELAY
from tests.e2e.stack import ROOT, Stack

LATENCY_MS = 100
SETTINGS = {
    # Cold and warm are made on purpose (control.stale); a TTL running out in the middle
    # of a figure would mix the two, and beat would refresh behind the figure's back.
    "PANEL_MIRROR_TTL": "3600",
    # The production default; the stack's own 1 s is for browser tests.
    "PANEL_POWER_COOLDOWN": "10",
}
PASSWORD = "demo"  # noqa: S105 - seed_demo's and control.operators' documented login
# A page's refresh may run after its answer (a Celery task): its calls count once none
# has come for this long.
QUIET = 1.0
TIMEOUT = 60  # seconds for any one request, and for anything the bench waits for
STAMPEDE = 50
HAMMER_USERS = 6  # enough to keep 3 sync workers busy; more only queue
LOAD_USERS = 100
OPERATORS = 5  # users with power on SERVERS_EACH servers each, for the load run
SERVERS_EACH = 2
THINK = (2, 5)  # seconds between a person's clicks in the load run
SNAPSHOT_SETTLE = 3.0  # seconds the follow task runs before the completion (its steady pace)
CLOCK_SPEED = 30  # the sandbox's clock during the reinstall: its 180 s pass in 6 s

S1 = "1. Upstream calls per page"
S2 = f"2. {STAMPEDE} cold list requests at once"
S3 = "3. Cold list page against upstream latency"
S4 = "4. Warm list throughput"
S6 = "6. Snapshot completed → shown"
S7 = "7. One reinstall, click to done"
S8 = "8. Memory of one web worker"


@dataclass
class Plan:
    """How much of each figure to measure; BENCH_QUICK=1 takes the short one."""

    samples: int = 10  # cold list pages per p50
    throughput_seconds: int = 10
    load_seconds: int = 60
    memory_pages: int = 1000
    snapshots: int = 3


QUICK = Plan(samples=5, throughput_seconds=5, load_seconds=15, memory_pages=200, snapshots=1)


class BenchError(RuntimeError):
    pass


def wait_for(check: Callable[[], object], what: str, every: float = 0.2):
    deadline = time.monotonic() + TIMEOUT
    while not (found := check()):
        if time.monotonic() > deadline:
            raise BenchError(f"{what} did not happen within {TIMEOUT} s")
        time.sleep(every)
    return found


# --- the sandbox's control plane ---------------------------------------------------------


class Sandbox:
    """/_sandbox: faults, clock and statistics (its own calls are not counted)."""

    def __init__(self, api_url: str):
        self.api_url = api_url
        self.base = api_url.rsplit("/api/v3", 1)[0] + "/_sandbox"
        self.http = requests.Session()

    def _post(self, path: str, body: dict) -> None:
        self.http.post(self.base + path, json=body, timeout=TIMEOUT).raise_for_status()

    def faults(self, **values) -> None:
        self._post("/faults", values)

    def advance(self, seconds: float) -> None:
        self._post("/clock", {"advance": seconds})

    def _stats(self) -> dict:
        return self.http.get(self.base + "/stats", timeout=TIMEOUT).json()

    def calls(self) -> Counter:
        """Calls answered so far, per (route, outcome): ("GET /servers", "200")."""
        return Counter(
            {
                (route, outcome): n
                for route, counts in self._stats()["calls"].items()
                for outcome, n in counts.items()
            }
        )

    def most_at_once(self, route: str) -> int:
        """The most calls of `route` the sandbox has answered at the same time, this run."""
        return self._stats()["max_in_flight"].get(route, 0)

    def settle(self, before: Counter) -> Counter:
        """The calls since `before`, once QUIET seconds passed without a new one."""
        last, still = self.calls(), time.monotonic()
        deadline = still + TIMEOUT
        while time.monotonic() - still < QUIET:
            if time.monotonic() > deadline:
                raise BenchError(f"upstream calls did not stop within {TIMEOUT} s")
            time.sleep(0.1)
            now = self.calls()
            if now != last:
                last, still = now, time.monotonic()
        return last - before

    @contextmanager
    def clock_speed(self, factor: float, step: float = 0.25):
        """The sandbox's clock runs `factor` times as fast meanwhile: its delays (180 s for a
        reinstall) pass in seconds, in order, as if the time had passed."""
        stop = threading.Event()
        ticker = Sandbox(self.api_url)  # a session of its own: Session is not thread-safe

        def run() -> None:
            while not stop.wait(step):
                ticker.advance(step * (factor - 1))

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


def count(calls: Counter, route: str, outcome: str | None = None) -> int:
    return sum(n for (r, o), n in calls.items() if r == route and outcome in (None, o))


def describe(calls: Counter) -> str:
    """ "GET /servers x2, POST /authenticate x1" (any outcome), or "none"."""
    routes = Counter()
    for (route, _), n in calls.items():
        routes[route] += n
    return ", ".join(f"{route} x{n}" for route, n in sorted(routes.items())) or "none"


# --- a browser ---------------------------------------------------------------------------


class _Forms(HTMLParser):
    """Each <form> of a page with the fields a browser would submit untouched: inputs'
    values, the first radio of a group unless another is checked, checked boxes, selected
    options."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._fields: dict | None = None
        self._select = ""

    def handle_starttag(self, tag, attrs):
        a = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._fields = {}
            self.forms.append({"action": a.get("action", ""), "fields": self._fields})
        elif self._fields is None:
            return
        elif tag == "input" and a.get("name"):
            name, kind = a["name"], a.get("type", "text")
            first_radio = kind == "radio" and name not in self._fields
            if kind in ("radio", "checkbox") and ("checked" in a or first_radio):
                self._fields[name] = a.get("value", "on")
            elif kind not in ("radio", "checkbox", "submit", "button", "file"):
                self._fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name", "")
        elif tag == "option" and ("selected" in a or self._select not in self._fields):
            self._fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select":
            self._select = ""


def form(html: str, action: str) -> dict:
    """The fields of the page's form that posts to `action`."""
    parser = _Forms()
    parser.feed(html)
    for found in parser.forms:
        if found["action"] == action:
            return dict(found["fields"])
    raise BenchError(f"no form for {action} on the page")


class Browser:
    """A logged-in person's browser: its cookies, and htmx's headers where the page's
    script would send them."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()

    def log_in(self, username: str) -> Browser:
        path = "/accounts/login/"
        fields = form(self.get(path).text, path)
        fields.update(username=username, password=PASSWORD)
        answer = self.http.post(
            self.url + path, data=fields, allow_redirects=False, timeout=TIMEOUT
        )
        if answer.status_code != 302:
            raise BenchError(f"{username} could not log in ({answer.status_code})")
        return self

    def get(self, path: str, *, target: str = "", **params) -> requests.Response:
        """GET `path`; with `target`, as htmx asks for that element of the page."""
        headers = {"HX-Request": "true", "HX-Target": target} if target else {}
        answer = self.http.get(self.url + path, params=params, headers=headers, timeout=TIMEOUT)
        return self._checked(answer)

    def post(self, path: str, fields: dict, *, htmx: bool = False) -> requests.Response:
        headers = {"HX-Request": "true"} if htmx else {}
        data = {"csrfmiddlewaretoken": self.http.cookies["csrftoken"], **fields}
        answer = self.http.post(self.url + path, data=data, headers=headers, timeout=TIMEOUT)
        return self._checked(answer)

    @staticmethod
    def _checked(answer: requests.Response) -> requests.Response:
        if answer.status_code >= 400:
            raise BenchError(f"{answer.request.method} {answer.url}: {answer.status_code}")
        return answer

    def session(self, servers: Iterable[int] = ()) -> dict:
        """This browser's session, for locust users (bench/locustfile.py)."""
        cookies = self.http.cookies
        return {
            "cookie": f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}",
            "csrf": cookies["csrftoken"],
            "servers": list(servers),
        }


# --- a live panel ----------------------------------------------------------------------------


class Control:
    """bench/control.py in the panel's environment: one command, one answer."""

    def __init__(self, env: dict[str, str]):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.control"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def __call__(self, command: str, *args):
        self.process.stdin.write(json.dumps([command, *args]) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise BenchError(f"bench.control exited ({self.process.wait()}) during {command}")
        answer = json.loads(line)
        if "error" in answer:
            raise BenchError(f"bench.control {command} failed:\n{answer['error']}")
        return answer["result"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=TIMEOUT)


@dataclass
class Panel:
    stack: Stack
    control: Control
    sandbox: Sandbox

    @property
    def url(self) -> str:
        return self.stack.url

    def browser(self, username: str) -> Browser:
        return Browser(self.url).log_in(username)

    def page_calls(
        self, browser: Browser, path: str, parts: tuple[tuple[str, str], ...] = ()
    ) -> tuple[Counter, float]:
        """One page view: the upstream calls it caused (its background work and the `parts`
        it loads right after, (path, htmx target) each, included) and the seconds until
        the page's own answer."""
        before = self.sandbox.calls()
        started = time.perf_counter()
        browser.get(path)
        seconds = time.perf_counter() - started
        for part, target in parts:
            browser.get(part, target=target)
        return self.sandbox.settle(before), seconds


@contextmanager
def live_panel(log_dir: Path, servers: int, database_url: str, web_workers: int = 3):
    with tempfile.TemporaryDirectory(prefix="bench-live-") as work:
        logs = log_dir / f"{servers}-servers-{web_workers}-workers"
        logs.mkdir(parents=True, exist_ok=True)
        stack = Stack(
            Path(work),
            logs,
            servers=servers,
            web_workers=web_workers,
            settings=SETTINGS,
            database_url=database_url,
        )
        control = None
        try:
            stack.start()
            control = Control(stack.env)
            sandbox = Sandbox(stack.api_url)
            sandbox.faults(latency_ms=LATENCY_MS)  # after seed_demo's own listing
            yield Panel(stack, control, sandbox)
        finally:
            if control is not None:
                control.close()
            stack.stop()


# --- the figures -------------------------------------------------------------------------------


def _one_pass(servers: int) -> int:
    """GET /servers calls in one listing at the largest per_page the sandbox honours."""
    return -(-servers // MAX_PER_PAGE)


def upstream_calls(panel: Panel, servers: int) -> list[dict]:
    """Figure 1 at one size."""
    admin = panel.browser("admin")
    one_pass = _one_pass(servers)
    panel.control("stale")
    cold, seconds = panel.page_calls(admin, "/servers/")
    warm, _ = panel.page_calls(admin, "/servers/")
    # The last server: no page has opened it yet, so its detail is not cached.
    pk = panel.control("servers")[-1]["pk"]
    # The page shows the mirror at once, then loads its live part (hx-trigger="load").
    live = ((f"/servers/{pk}/live/", "server-detail-body"),)
    cold_detail, _ = panel.page_calls(admin, f"/servers/{pk}/", live)
    warm_detail, _ = panel.page_calls(admin, f"/servers/{pk}/", live)
    listings = count(cold, "GET /servers")
    size = f"{servers:,} servers"
    return [
        figure(
            S1,
            f"list page, cold (stale mirror), {size}",
            describe(cold),
            f"≤ {one_pass} GET /servers (per_page {MAX_PER_PAGE})",
            0 < listings <= one_pass and set(cold) <= {("GET /servers", "200")},
            f"answered in {seconds:.2f} s; calls after the answer included",
            {"calls": listings, "seconds": seconds},
        ),
        figure(S1, f"list page, warm, {size}", describe(warm), "none", not warm),
        figure(
            S1,
            f"server page, cold, {size}",
            describe(cold_detail),
            "GET /servers/{id} x1",
            count(cold_detail, "GET /servers/{id}") == sum(cold_detail.values()) == 1,
        ),
        figure(S1, f"server page, warm, {size}", describe(warm_detail), "none", not warm_detail),
    ]


def _at_once(url: str, cookies, path: str, many: int) -> tuple[Counter, list[float]]:
    """`many` GETs of `path` let go together: their statuses and seconds."""
    barrier = threading.Barrier(many, timeout=TIMEOUT)
    answers: list[tuple[object, float]] = []  # list.append is atomic; Counter's += is not

    def one() -> None:
        with requests.Session() as http:
            http.cookies.update(cookies)
            barrier.wait()
            started = time.perf_counter()
            try:
                status = http.get(url + path, timeout=TIMEOUT).status_code
            except requests.RequestException as error:
                status = type(error).__name__
            answers.append((status, time.perf_counter() - started))

    threads = [threading.Thread(target=one) for _ in range(many)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(status for status, _ in answers), [seconds for _, seconds in answers]


def stampede(panel: Panel) -> list[dict]:
    """Figure 2 at 100 servers, where one listing pass is one GET /servers: STAMPEDE list
    pages at once on a stale mirror, with the stored token valid and then expired (the
    sandbox expires every token it issued)."""
    admin = panel.browser("admin")
    figures = []
    for label, expire in (("token valid", False), ("token expired", True)):
        panel.control("stale")
        if expire:
            panel.sandbox.faults(expire_tokens=True)
        before = panel.sandbox.calls()
        statuses, seconds = _at_once(panel.url, admin.http.cookies, "/servers/", STAMPEDE)
        calls = panel.sandbox.settle(before)
        passes = count(calls, "GET /servers", "200")
        logins = count(calls, "POST /authenticate")
        answers = ", ".join(f"{n}x {status}" for status, n in sorted(statuses.items()))
        timing = f"p50 {statistics.median(seconds):.2f} s, slowest {max(seconds):.2f} s"
        figures += [
            figure(
                S2,
                f"listing passes, {label}",
                str(passes),
                "1",
                passes == 1,
                f"{describe(calls)}; answers: {answers}; {timing}",
                {"calls": _json_calls(calls), "statuses": dict(statuses)},
            ),
            figure(S2, f"/authenticate calls, {label}", str(logins), "≤ 1", logins <= 1),
        ]
    return figures


def _json_calls(calls: Counter) -> dict[str, int]:
    return {f"{route} {outcome}": n for (route, outcome), n in calls.items()}


def cold_list_latency(panel: Panel, samples: int) -> list[dict]:
    """Figure 3 at 100 servers: p50 of a cold list page over the upstream latency, for a
    stale mirror and for a connection never listed (a second one, added for each sample)."""
    admin = panel.browser("admin")
    stale, never = [], []
    for n in range(samples):
        panel.control("stale")
        stale.append(panel.page_calls(admin, "/servers/")[1])
        pk = panel.control("add_connection", f"Bench never listed {n}")
        never.append(panel.page_calls(admin, "/servers/")[1])
        panel.control("delete_connection", pk)
    figures = []
    for label, seconds in (("stale mirror", stale), ("connection never listed", never)):
        p50 = statistics.median(seconds)
        ratio = p50 / (LATENCY_MS / 1000)
        figures.append(
            figure(
                S3,
                f"cold list page p50 ÷ upstream latency, {label}, 100 servers",
                f"{ratio:.2f} (p50 {p50 * 1000:.0f} ms)",
                "≤ 1.15",
                ratio <= 1.15,
                f"{samples} samples, {min(seconds) * 1000:.0f}-{max(seconds) * 1000:.0f} ms; "
                f"upstream latency {LATENCY_MS} ms",
                {"seconds": seconds},
            )
        )
    return figures


def first_listing(panel: Panel, servers: int) -> list[dict]:
    """Figure 3's other half: a list page whose connection was never listed, at `servers`."""
    admin = panel.browser("admin")
    panel.control("add_connection", "Bench never listed")
    calls, seconds = panel.page_calls(admin, "/servers/")
    one_pass = _one_pass(servers)
    listings = count(calls, "GET /servers")
    sequential = listings * LATENCY_MS / 1000
    at_once = panel.sandbox.most_at_once("GET /servers")
    return [
        figure(
            S3,
            f"first listing of {servers:,} servers: page time",
            f"{seconds:.2f} s",
            note=f"{listings} calls one after another would take ≥ {sequential:.1f} s "
            f"at {LATENCY_MS} ms; the sandbox saw at most {at_once} GET /servers at once "
            "in this panel's life",
            data={"seconds": seconds, "most_at_once": at_once},
        ),
        figure(
            S3,
            f"first listing of {servers:,} servers: upstream calls",
            describe(calls),
            f"≤ {one_pass} GET /servers (per_page {MAX_PER_PAGE})",
            0 < listings <= one_pass,
        ),
    ]


def throughput(panel: Panel, servers: int, seconds: int) -> list[dict]:
    """Figure 4: warm list page req/s over /healthz req/s, locust against the same gunicorn."""
    session = panel.browser("admin").session()
    rates, failures = {}, 0
    for path in ("/healthz", "/servers/"):
        result = load.total(
            load.run(panel.url, "Hammer", HAMMER_USERS, seconds, [session], BENCH_PATH=path)
        )
        rates[path] = result["rps"]
        failures += result["failures"]
    ratio = rates["/servers/"] / rates["/healthz"]
    return [
        figure(
            S4,
            f"warm list req/s ÷ /healthz req/s, {servers:,} servers (admin)",
            f"{ratio:.2f} ({rates['/servers/']:.0f} vs {rates['/healthz']:.0f} req/s)",
            "≥ 0.3",
            ratio >= 0.3 and failures == 0,
            f"locust FastHttpUser, {HAMMER_USERS} users without pause, {seconds} s each; "
            f"{failures} failures",
            {"rps": rates},
        )
    ]


def _vps(panel: Panel) -> list[dict]:
    return [row for row in panel.control("servers") if row["type"] == "vps"]


def _snapshot_shows(browser: Browser, page: str, name: str, state: str) -> bool:
    """Whether the Snapshots page's list (as its poll asks for it) shows `name` in `state`."""
    html = browser.get(page, target="snapshot-list").text
    return any(name in row and state in row for row in html.split("<tr")[1:])


def snapshot_shown(panel: Panel, samples: int) -> list[dict]:
    """Figure 6: from the sandbox completing a snapshot (its clock moved past the time one
    takes) to the Snapshots page answering with it completed, polled every 0.1 s."""
    admin = panel.browser("admin")
    delays = []
    # A server of its own for each: the sandbox keeps 3 snapshots a server at most, some
    # seeded already.
    for n, server in enumerate(_vps(panel)[:samples]):
        page = f"/servers/{server['pk']}/snapshots/"
        name = f"bench-{n}"
        fields = form(admin.get(page).text, f"{page}take/")
        admin.post(f"{page}take/", {**fields, "name": name}, htmx=True)
        shows = functools.partial(_snapshot_shows, admin, page, name)
        wait_for(functools.partial(shows, "Pending"), f"snapshot {name} pending")
        time.sleep(SNAPSHOT_SETTLE)
        completed = time.perf_counter()
        panel.sandbox.advance(SNAPSHOT_DELAY + 1)
        wait_for(functools.partial(shows, "Completed"), f"snapshot {name} shown", every=0.1)
        delays.append(time.perf_counter() - completed)
    value = f"{statistics.median(delays):.1f} s"
    if samples > 1:
        value += f" (p50 of {samples}, slowest {max(delays):.1f} s)"
    return [
        figure(
            S6,
            "snapshot completed upstream → shown on the Snapshots page",
            value,
            "≤ 5 s",
            max(delays) <= 5,
            "the page's own poll (every 2 s) comes on top in a browser",
            {"seconds": delays},
        )
    ]


def reinstall_calls(panel: Panel) -> list[dict]:
    """Figure 7: every upstream call of one reinstall, from opening the wizard to the
    operation done, with the sandbox's clock running CLOCK_SPEED times as fast."""
    admin = panel.browser("admin")
    server = _vps(panel)[-1]  # one the snapshots and the load run leave alone
    wizard = f"/servers/{server['pk']}/reinstall/"
    before = panel.sandbox.calls()
    started = time.perf_counter()
    with panel.sandbox.clock_speed(CLOCK_SPEED):
        fields = {}
        # Distribution, system, settings (the form's defaults but the hostname): each step
        # a GET with the answers so far.
        for answers in ({}, {}, {"hostname": "reinstalled.example.com"}):
            fields = {**form(admin.get(wizard, **fields).text, wizard), **answers}
        confirm = form(admin.get(wizard, **fields).text, wizard)
        admin.post(wizard, {**confirm, "confirm_name": server["name"]})
        operation = re.search(r'id="operation-(\d+)"', admin.get(f"/servers/{server['pk']}/").text)
        if operation is None:
            raise BenchError("the server page shows no operation after the reinstall")
        poll = f"/servers/{server['pk']}/operations/{operation.group(1)}/"
        # The operation's own poll answers 286 once it is over.
        wait_for(
            lambda: admin.get(poll, target="operation").status_code == 286,
            "the reinstall ending",
            every=1.0,
        )
        seconds = time.perf_counter() - started
    calls = panel.sandbox.settle(before)
    status = re.search(r'class="badge[^"]*">([^<]+)<', admin.get(poll).text)
    status = status.group(1) if status else "?"
    posts = count(calls, "POST /servers/{id}/reinstall")
    return [
        figure(
            S7,
            "upstream calls of one reinstall",
            describe(calls),
            "POST /servers/{id}/reinstall x1",
            posts == 1 and status == "Done",
            f"ended “{status}” after {seconds:.1f} s with the sandbox clock at {CLOCK_SPEED}x "
            f"(its {REINSTALL_DELAY} s install took {REINSTALL_DELAY / CLOCK_SPEED:.0f} s); "
            "the checks back off in real time (3 s, up to 10 s), so a real-time install adds "
            "about one GET per 10 s. Earlier: 1 POST + 23 GET /servers/{id} + 2 catalogue "
            f"reads over a real {REINSTALL_DELAY} s",
            {"calls": _json_calls(calls), "seconds": seconds},
        )
    ]


def load_run(panel: Panel, seconds: int) -> list[dict]:
    """LOAD_USERS people for `seconds`: the list, server pages, power actions. The figure's
    data holds locust's table (p50/p95 per request), which the report shows."""
    granted = panel.control("operators", OPERATORS, SERVERS_EACH)
    sessions = [panel.browser(name).session(servers) for name, servers in granted.items()]
    before = panel.sandbox.calls()
    think = json.dumps(THINK)
    result = load.run(panel.url, "Visitor", LOAD_USERS, seconds, sessions, BENCH_THINK=think)
    calls = panel.sandbox.settle(before)
    total = load.total(result)
    return [
        figure(
            LOAD,
            f"errors, {LOAD_USERS} sessions for {seconds} s",
            f"{total['failures']} of {total['requests']} requests",
            "0",
            total["failures"] == 0,
            f"{OPERATORS} users with power on {SERVERS_EACH} servers each, shared in turn; "
            f"think time {THINK[0]}-{THINK[1]} s (about {LOAD_USERS / statistics.mean(THINK):.0f} "
            f"clicks/s offered, {total['rps']:.0f} req/s served); "
            f"upstream: {describe(calls)}",
            result,
        )
    ]


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1)) / 1024


def _web_worker(panel: Panel) -> int:
    master = panel.stack.web.proc.pid
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise BenchError(f"expected one gunicorn worker, found {len(children)}")
    return int(children[0])


def memory(panel: Panel, servers: int, pages: int) -> list[dict]:
    """Figure 8: RSS of the only web worker, warm, after `pages` list pages, and after a
    cold refresh."""
    admin = panel.browser("admin")
    admin.get("/servers/")
    worker = _web_worker(panel)
    start = _rss_mb(worker)
    for _ in range(pages):
        admin.get("/servers/")
    after_pages = _rss_mb(worker)
    panel.control("stale")
    calls, seconds = panel.page_calls(admin, "/servers/")
    after_refresh = _rss_mb(_web_worker(panel))
    same = "" if _web_worker(panel) == worker else "; the worker was replaced meanwhile"
    size = f"{servers:,} servers"
    refresh = (
        f"a list page on the stale mirror: answered in {seconds:.2f} s, {describe(calls)} "
        "(by this worker or a Celery task, whichever the panel chose); issue 9 measured "
        "~165 MB before its changes"
    )
    return [
        figure(S8, "after its first list page", f"{start:.0f} MB", note=f"{size}, admin"),
        figure(S8, f"after {pages:,} list pages", f"{after_pages:.0f} MB", note=size),
        figure(
            S8,
            f"after a cold refresh of {size}",
            f"{after_refresh:.0f} MB",
            note=refresh + same,
        ),
    ]


# --- the run ---------------------------------------------------------------------------------


def guarded(section: str, what: str, measure: Callable, *args) -> list[dict]:
    """The figures, or one that says why they are missing: a broken figure must not
    cost the others."""
    try:
        return measure(*args)
    except Exception as error:
        print(f"  {section}: {what} failed: {error}", file=sys.stderr)
        return [figure(section, what, f"error: {error}".splitlines()[0][:300], "", False)]


def run(plan: Plan, log_dir: Path, database_url: str) -> tuple[list[dict], str]:
    """Every live figure: one panel at 100 servers, one at 5,000, one at 5,000 with a
    single web worker. Returns the figures and the database they ran on."""
    figures = []

    def add(new: list[dict]) -> None:
        for item in new:
            print(f"  {item['section']} · {item['name']}: {item['value']}", flush=True)
        figures.extend(new)

    with live_panel(log_dir, 100, database_url) as panel:
        database = panel.control("database")
        add(guarded(S1, "100 servers", upstream_calls, panel, 100))
        add(guarded(S2, "concurrent cold requests", stampede, panel))
        add(guarded(S3, "cold list page", cold_list_latency, panel, plan.samples))
        add(guarded(S4, "throughput, 100 servers", throughput, panel, 100, plan.throughput_seconds))
        add(guarded(S6, "snapshot", snapshot_shown, panel, plan.snapshots))
        add(guarded(S7, "reinstall", reinstall_calls, panel))
        add(guarded(LOAD, "load run", load_run, panel, plan.load_seconds))
    with live_panel(log_dir, 5000, database_url) as panel:
        add(guarded(S1, "5,000 servers", upstream_calls, panel, 5000))
        add(guarded(S4, "throughput, 5,000", throughput, panel, 5000, plan.throughput_seconds))
        add(guarded(S3, "first listing of 5,000", first_listing, panel, 5000))
    with live_panel(log_dir, 5000, database_url, web_workers=1) as panel:
        add(guarded(S8, "memory", memory, panel, 5000, plan.memory_pages))
    return figures, database
