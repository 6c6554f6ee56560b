"""The fault run: every page and action of the panel, as admin and as customer, against the
real stack (gunicorn, Celery worker and beat, Redis, the sandbox over a socket) while the
sandbox misbehaves, and the worker killed in the middle of long operations.

1. Faults in force throughout: 10 % 5xx, 5 % timeouts, 5 % 429s; every token expired every
   few seconds; one of the customer's servers hidden at the start of each round.
2. Operations: admin starts reinstalls and snapshots through the wizard and the snapshot
   form; the worker gets SIGKILL and is started again while they run, more than once.
3. Rounds: each persona opens every page it can reach (links, polls, images, GET forms such
   as the wizard's steps) and presses every button it finds, each action twice with the
   same form (a double click; the idempotency key must make it one). Round one as htmx
   sends them, round two as a browser without JavaScript. Then the customer opens every
   page admin opened (403 and 404 are right answers; a 500 is not).
4. Every operation must reach a final state (the sandbox's clock is moved on meanwhile, so
   the provider's side of the work takes seconds).
5. The actions that end things (log out, change one's password, delete what the run made)
   come last.

Counted: requests and their status codes, 500s (any 5xx but the panel's own 503 for "the
provider did not answer"; target 0), answers that never came
(target 0), tracebacks in the gunicorn log (target 0), repeated non-idempotent upstream
calls (target 0, from the sandbox's stats, see `repeated_calls`), operations final.
The URL walk's map (tests/panel/core/urlwalk.py) says which URLs there are: names no
persona reached are listed.
"""

from __future__ import annotations

import itertools
import json
import platform
import re
import threading
import time
from collections import Counter, defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests

from terrahost_client.sandbox import routing, totp_code
from tests.e2e.stack import Stack, wait_until
from tests.panel.core.urlwalk import all_names

from .browser import CSRF_FIELD, KEY_FIELD, Browser, Form, Page, Record, form_url, url_name

PERSONAS = ("admin", "customer")  # seed_demo's users
PASSWORD = "demo"  # noqa: S105 - the documented demo login
NEW_PASSWORD = "Fault-run-2026!"  # noqa: S105 - passes the password validators
FAULTS = {"error_rate": 0.10, "timeout_rate": 0.05, "rate_limit_rate": 0.05, "retry_after": 1}

# Upstream calls that must reach Terrahost at most once per press (the client never repeats
# them): each with the actions that send it at once and the operation kinds that send it
# from the worker.
NON_IDEMPOTENT = {
    "GET /servers/{id}/reboot": ({"servers:reboot"}, set()),
    "GET /servers/{id}/power/on": ({"servers:power_on"}, set()),
    "GET /servers/{id}/power/off": ({"servers:power_off"}, set()),
    "POST /servers/{id}/ipmi": ({"servers:console"}, set()),
    "POST /servers/{id}/isos": ({"isos:mount", "isos:unmount"}, {"iso_upload"}),
    "POST /servers/{id}/snapshot": (set(), {"snapshot_create"}),
    "DELETE /servers/{id}/snapshot/{snap_id}": (set(), {"snapshot_delete"}),
    "POST /servers/{id}/reinstall": (set(), {"reinstall"}),
    "POST /servers/{id}/upgrade": (set(), {"upgrade"}),
    "POST /servers/{id}/ipv4": (set(), {"ipv4_order"}),
}
assert set(NON_IDEMPOTENT) <= routing.route_keys(), "a route above is not the sandbox's"

COUNTER = itertools.count(1)


def _totp(form: Form, page: Page) -> str:
    return totp_code()


def _heading(form: Form, page: Page) -> str:
    return page.heading  # "Type the server's name": a server's pages have it as heading


def _deleted_name(form: Form, page: Page) -> str:
    return page.heading.removeprefix("Delete ").removesuffix("?")  # "Delete faultrun3?"


def _first_server(form: Form, page: Page) -> list[str]:
    return form.options("servers")[:1]


# What a person types into a form's empty fields ({n}: a number of its own each time).
TYPED = {
    "users:user_create": {"username": "faultrun{n}", "password": NEW_PASSWORD},
    "users:delete": {"confirm_name": _deleted_name},
    "accounts:password_change": {
        "old_password": PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    },
    "branding:create": {"name": "Fault run {n}", "hosts": "faultrun{n}.example.org"},
    # Connection names are unique: once this one is added, pressing again changes nothing.
    "connections:add": {
        "name": "Fault run 2FA",
        "username": "demo-2fa",
        "password": PASSWORD,
        "code": _totp,
    },
    "connections:password": {"password": PASSWORD, "code": _totp},
    "connections:reauth": {"code": _totp},
    "grants:user": {"servers": _first_server},
    "isos:upload": {"url": "https://example.com/fault-run-{n}.iso"},
    "orders:upgrade": {"confirm_name": _heading},
    "reinstall:wizard": {"hostname": "faultrun{n}.example.com", "confirm_name": _heading},
    "servers:reverse_dns": {
        "hostname": "faultrun{n}.example.com",
        "nameservers": "ns1.example.com ns2.example.com",
    },
    "teams:create": {"name": "Fault run {n}"},
    "teams:detail": {"servers": _first_server},  # the team's grant form
    "teams:member_add": {"username": "customer"},
}
# Pressed at the very end, in this order, on the newest object (the one the run made).
CLOSING = (
    "grants:revoke",
    "grants:end_sessions",
    "users:disable",
    "users:enable",  # its button shows once the user is disabled
    "users:delete",
    "branding:delete",
    "teams:member_remove",
    "teams:delete",
    "connections:delete",
    "accounts:password_change",
    "accounts:logout",
)
# Django's language switch: not the panel's, and it would turn the rest of a walk Norwegian.
SKIP = {"set_language"}
START = ("/", "/servers/", "/healthz", "/branding.css", "/branding/logo", "/branding/favicon")

# A kill leaves tasks the dead worker held (Celery's visibility timeout is an hour): the
# beat's sweep finds their operations after STALE_AFTER (90 s) or QUEUED_TOO_LONG (5 min).
LIST_OPERATIONS = """
import json
from panel.operations.models import Operation
rows = [
    [o.pk, o.kind, o.status, o.sent_at is not None, o.server_id, o.progress]
    for o in Operation.objects.all()
]
print(json.dumps(rows))
"""
# The short run does not wait those minutes: what the dead worker held is made to look
# that old and swept at once, as beat would do later.
AGE_AND_SWEEP = """
from datetime import datetime
from django.db.models import Q
from panel.operations import tasks
from panel.operations.models import Operation
since = datetime.fromisoformat({since!r})
past = since - tasks.QUEUED_TOO_LONG - tasks.STALE_AFTER
Operation.objects.filter(status="queued", created_at__lt=since).update(created_at=past)
Operation.objects.filter(
    Q(heartbeat_at__lt=since) | Q(heartbeat_at__isnull=True), status__in=("running", "unknown")
).update(heartbeat_at=past)
tasks.sweep_operations()
"""
SERVER_IDS = """
import json
from panel.servers.models import MirroredServer
print(json.dumps(list(MirroredServer.objects.order_by("srv_id").values_list("srv_id", flat=True))))
"""
TRACEBACK = "Traceback (most recent call last):"


@dataclass(frozen=True)
class Plan:
    """How much of the panel one run covers (None: no limit)."""

    name: str
    rounds: int  # the first as htmx, the second without JavaScript
    paths_per_name: int | None  # e.g. how many servers' pages a persona opens
    variants_per_path: int  # links to one page with another query (sort, period)
    presses_per_name: int | None  # buttons of one action pressed per round
    forms_per_action: int  # forms sent to one URL per round (mount: one per ISO)
    operation_servers: int  # reinstalls (and snapshots) started for the kills
    worker_kills: int
    final_within: float  # seconds every operation may take to end, after the rounds
    timeout_hold: float  # how long the sandbox holds a timed-out call
    expire_every: float  # seconds between two "every token expires now"
    hide_seconds: float  # how long the customer's server stays hidden per round
    age_orphans: bool  # see AGE_AND_SWEEP


FULL = Plan(
    name="full",
    rounds=2,
    paths_per_name=None,
    variants_per_path=3,
    presses_per_name=None,
    forms_per_action=2,
    operation_servers=2,
    worker_kills=3,
    # The sweep's 5 min for a queued job the dead worker held, 90 s, two sweeps, margin.
    final_within=600,
    # Longer than the panel's read deadline (8 s): the client gives up, a real timeout.
    timeout_hold=30,
    expire_every=20,
    hide_seconds=60,
    age_orphans=False,
)
SHORT = Plan(
    name="short",
    rounds=1,
    paths_per_name=1,
    variants_per_path=1,
    presses_per_name=1,
    forms_per_action=1,
    operation_servers=1,
    worker_kills=2,
    final_within=120,
    # Processed, then dropped after 1 s: the panel sees a write that may have arrived, as
    # with a timeout, without waiting out its read deadline each time.
    timeout_hold=1,
    expire_every=5,
    hide_seconds=15,
    age_orphans=True,
)


class Sandbox:
    """The sandbox's control plane (faults, stats, clock); not counted in its stats."""

    def __init__(self, api_url: str):
        self.base = api_url.rsplit("/api/v3", 1)[0] + "/_sandbox"

    def event(self, body: dict) -> None:
        """A fault event (every token expires, a server hides); the faults' odds and their
        sequence of outcomes go on unchanged."""
        self.post("faults", body)

    def post(self, path: str, body: dict) -> dict:
        response = requests.post(f"{self.base}/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def stats(self) -> dict[str, dict[str, int]]:
        response = requests.get(f"{self.base}/stats", timeout=10)
        response.raise_for_status()
        return response.json()["calls"]


class Walk:
    """One persona's pass: every page reached from the start, every button on them pressed.

    `only`: the URL names this walk keeps to; `closing`: where the buttons that end things
    are put aside (name -> {action: (form, page)}).
    """

    def __init__(self, browser: Browser, plan: Plan, *, htmx: bool, closing, only=None):
        self.browser = browser
        self.plan = plan
        self.htmx = htmx
        self.closing = closing
        self.only = only
        self.queue: deque[tuple[str, bool, str]] = deque()  # (url, by htmx, from the page at)
        self.opened: set[str] = set()
        self.paths: dict[str, set[str]] = defaultdict(set)
        self.variants: Counter[str] = Counter()
        self.pressed: set[tuple] = set()
        self.presses: Counter[str] = Counter()  # URL name -> presses (a double click is one)
        self.actions: Counter[str] = Counter()  # URL -> forms sent to it

    def run(self, start) -> None:
        for url in start:
            self.follow(url, htmx=False, link=False, document="")
        while self.queue:
            url, htmx, document = self.queue.popleft()
            page = self.browser.get(url, htmx=htmx, document=document)
            if page is not None:
                self.visit(page)

    def _kept(self, name: str | None) -> bool:
        return name is not None and name not in SKIP and (self.only is None or name in self.only)

    def follow(self, url: str, *, htmx: bool, document: str, link: bool = True) -> None:
        """Queue `url`, unless it was opened already or the plan has enough of its kind."""
        name, path = url_name(url), urlsplit(url).path
        if url in self.opened or not self._kept(name):
            return
        limit = self.plan.paths_per_name
        if path not in self.paths[name] and limit and len(self.paths[name]) >= limit:
            return
        # Links with a query (sorts, periods, pages) are many; a form's answers are not.
        if link and "?" in url:
            if self.variants[path] >= self.plan.variants_per_path:
                return
            self.variants[path] += 1
        self.opened.add(url)
        self.paths[name].add(path)
        self.queue.append((url, htmx and self.htmx, document))

    def visit(self, page: Page) -> None:
        for url, htmx in page.links:
            self.follow(url, htmx=htmx, document=page.url)
        for form in page.forms:
            if form.method == "get":
                url = form_url(form, fill(form, page, url_name(form.action)))
                self.follow(url, htmx=form.htmx, document=page.url, link=False)
            else:
                self.press(form, page)

    def press(self, form: Form, page: Page) -> None:
        name = url_name(form.action)
        if not self._kept(name):
            return
        if name in CLOSING:
            self.closing.setdefault(name, {})[form.action] = (form, page)
            return
        # The same button: the same form but for its CSRF token and idempotency key.
        fields = sorted(
            (k, v) for k, v in form.values().items() if k not in (CSRF_FIELD, KEY_FIELD)
        )
        same = (form.action, repr(fields))
        limit = self.plan.presses_per_name
        if same in self.pressed or (limit and self.presses[name] >= limit):
            return
        if self.actions[form.action] >= self.plan.forms_per_action:
            return
        self.pressed.add(same)
        self.presses[name] += 1
        self.actions[form.action] += 1
        values = fill(form, page, name)
        htmx = self.htmx and form.htmx
        answer = self.browser.submit(form, values, htmx=htmx, document=page.url)
        if KEY_FIELD in values:  # the double click: the same key again
            self.browser.submit(form, values, htmx=htmx, document=page.url)
        if answer is not None:
            self.visit(answer)  # the next step, a poll, what changed


def fill(form: Form, page: Page, name: str | None) -> dict[str, list[str]]:
    """The form's values, with TYPED in the fields it has that are still empty."""
    values = form.values()
    fields = {f.name for f in form.fields}
    n = next(COUNTER)
    for key, typed in TYPED.get(name, {}).items():
        if key in fields and not any(v.strip() for v in values.get(key, [])):
            value = typed(form, page) if callable(typed) else typed.format(n=n)
            values[key] = value if isinstance(value, list) else [value]
    return values


@dataclass
class Result:
    figures: dict
    defects: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def run(stack: Stack, plan: Plan) -> Result:
    started = time.monotonic()
    sandbox = Sandbox(stack.api_url)
    record = Record()
    hidden = _shell_json(stack, SERVER_IDS)[1]  # the customer's second server
    browsers = {p: Browser(stack.url, p, PASSWORD, record) for p in PERSONAS}
    for browser in browsers.values():
        browser.login()

    sandbox.post("faults", {**FAULTS, "timeout_hold_seconds": plan.timeout_hold})
    record.faults = (
        f"{FAULTS['error_rate']:.0%} 5xx, {FAULTS['timeout_rate']:.0%} timeouts, "
        f"{FAULTS['rate_limit_rate']:.0%} 429s, tokens expired every {plan.expire_every:g} s, "
        f"server {hidden} hidden {plan.hide_seconds:g} s per round"
    )
    stop = threading.Event()
    expiries = threading.Thread(target=_expire_tokens, args=(sandbox, plan, stop), daemon=True)
    expiries.start()
    closing = {p: {} for p in PERSONAS}
    presses: Counter[str] = Counter()
    try:
        killed_at = _operations_under_kills(stack, sandbox, plan, browsers["admin"], presses)
        for number in range(plan.rounds):
            sandbox.event({"hide_server": _hide(hidden, plan)})
            walks = [
                Walk(browsers[p], plan, htmx=number % 2 == 0, closing=closing[p]) for p in PERSONAS
            ]
            with ThreadPoolExecutor(len(walks)) as pool:
                for done in [pool.submit(walk.run, START) for walk in walks]:
                    done.result()
            for walk in walks:
                presses.update(walk.presses)
        _open_all(browsers["customer"], record)
        waited, operations = _until_final(stack, sandbox, plan, killed_at)
        for persona in PERSONAS:
            _close(browsers[persona], closing[persona], presses)
    finally:
        stop.set()
        expiries.join()
        sandbox.post("faults", {})
    stats = sandbox.stats()
    with open(stack.log_dir / "requests.jsonl", "w") as log:
        for answer in record.answers:
            log.write(json.dumps(asdict(answer)) + "\n")
    return _result(stack, plan, record, stats, operations, presses, waited, started)


def _shell_json(stack: Stack, code: str):
    """What `code` printed last, as JSON (the shell prints a line of its own first)."""
    return json.loads(stack.shell(code).splitlines()[-1])


def _hide(srv_id: int, plan: Plan) -> dict:
    return {"srv_id": srv_id, "seconds": plan.hide_seconds}


def _expire_tokens(sandbox: Sandbox, plan: Plan, stop: threading.Event) -> None:
    while not stop.wait(plan.expire_every):
        sandbox.event({"expire_tokens": True})


def _operations_under_kills(stack, sandbox, plan, browser, presses) -> float:
    """Reinstalls and snapshots started through their forms, and the worker killed (SIGKILL)
    and started again while they are sent and followed. Returns when it last started."""
    only = {
        "servers:list",
        "servers:detail",
        "reinstall:wizard",
        "snapshots:list",
        "snapshots:take",
    }
    walk = Walk(
        browser,
        # Every server's pages, so that each kind finds a server it can run on.
        replace(plan, paths_per_name=None, presses_per_name=plan.operation_servers),
        htmx=True,
        closing={},
        only=only,
    )
    walk.run(["/servers/"])
    presses.update(walk.presses)
    worker = stack.service("worker")
    restarted = time.time()
    for kill in range(plan.worker_kills):
        # The first lands while the writes are being sent, the others while they are
        # followed; the provider's side moves on a minute between them.
        time.sleep(0.5 if kill == 0 else 3)
        ready = worker.log.read_text(errors="replace").count(" ready.")
        worker.kill_and_restart()
        restarted = time.time()
        wait_until(
            lambda ready=ready: worker.log.read_text(errors="replace").count(" ready.") > ready,
            "the Celery worker getting ready again",
            service=worker,
        )
        sandbox.post("clock", {"advance": 60})
    return restarted


def _open_all(customer: Browser, record: Record) -> None:
    """The customer opens every page admin opened: each must be refused, never a 500."""
    opened = {a.url for a in record.answers if a.persona == "admin" and a.method == "GET"}
    for url in sorted(opened):
        customer.get(url)


def _until_final(stack, sandbox, plan, killed_at: float) -> tuple[float, list]:
    """Poll the operations until none is active or plan.final_within has passed; returns
    how long it took and the operations ([id, kind, status, sent, server id, progress])."""
    started = time.monotonic()
    since = datetime.fromtimestamp(killed_at, UTC).isoformat()
    while True:
        code = AGE_AND_SWEEP.format(since=since) if plan.age_orphans else ""
        operations = _shell_json(stack, code + LIST_OPERATIONS)
        waited = time.monotonic() - started
        done = all(status in ("succeeded", "failed") for _, _, status, *_ in operations)
        if done or waited > plan.final_within:
            return waited, operations
        sandbox.post("clock", {"advance": 60})  # minutes of the provider's work pass at once
        time.sleep(2)


def _close(browser: Browser, closing: dict, presses: Counter) -> None:
    """The buttons that end things, in CLOSING's order, each on the newest object; an
    answer's buttons join those still to press."""
    for name in CLOSING:
        forms = closing.get(name)
        if not forms:
            continue
        newest = max(forms, key=lambda action: [int(n) for n in re.findall(r"\d+", action)])
        form, page = forms[newest]
        answer = browser.submit(form, fill(form, page, name))
        presses[name] += 1
        for later in answer.forms if answer else ():
            if url_name(later.action) in CLOSING:
                closing.setdefault(url_name(later.action), {})[later.action] = (later, answer)


def repeated_calls(stats: dict, presses: Counter, operations: list) -> dict[str, tuple[int, int]]:
    """Per non-idempotent route: (calls that reached the sandbox, calls the run allowed).

    Allowed: one per press of an action that sends it (a double click with the same key is
    one press), one per operation of a kind that sends it and was marked sent (`sent_at`
    is committed just before the one write). Not counted as reaching it: a 401, which the
    client repeats once after logging in again because nothing was done.
    """
    sent = Counter(kind for _, kind, _, was_sent, *_ in operations if was_sent)
    counts = {}
    for route, (actions, kinds) in NON_IDEMPOTENT.items():
        outcomes = stats.get(route, {})
        reached = sum(n for outcome, n in outcomes.items() if outcome != "401")
        allowed = sum(presses[a] for a in actions) + sum(sent[k] for k in kinds)
        counts[route] = (reached, allowed)
    return counts


def tracebacks(text: str) -> list[str]:
    """Each traceback in a log: the line before it, and its last lines (the error)."""
    lines = text.splitlines()
    found = []
    for i, line in enumerate(lines):
        if line.strip() != TRACEBACK:
            continue
        end = i + 1
        while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
            end += 1
        before = lines[i - 1] if i else ""
        found.append("\n".join([before, *lines[max(i + 1, end - 2) : end + 1]]))
    return found


def _result(stack, plan, record, stats, operations, presses, waited, started):
    answers = record.answers
    statuses = Counter(a.status for a in answers)
    # 503 is the panel's own answer for "the provider did not answer" where a page part or
    # an image cannot say it in words (panel.graphs, the reverse DNS row): not an error.
    errors = [a for a in answers if a.status >= 500 and a.status != 503]
    unanswered = [a for a in answers if a.status == 0]
    web_tracebacks = tracebacks(stack.service("web").log.read_text(errors="replace"))
    worker_log = stack.service("worker").log.read_text(errors="replace")
    repeats = repeated_calls(stats, presses, operations)
    repeated = sum(max(0, reached - allowed) for reached, allowed in repeats.values())
    final = [op for op in operations if op[2] in ("succeeded", "failed")]
    upstream = Counter()
    for outcomes in stats.values():
        upstream.update(outcomes)
    covered = {url_name(a.url) for a in answers}
    missing = sorted(set(all_names()) - covered - SKIP)

    figures = {
        "run": plan.name,
        "requests": len(answers),
        **{f"status_{code}": n for code, n in sorted(statuses.items()) if code},
        "server_errors": len(errors),
        "server_errors_target": 0,
        "no_answer": len(unanswered),
        "no_answer_target": 0,
        "tracebacks": len(web_tracebacks),
        "tracebacks_target": 0,
        "worker_tracebacks": worker_log.count(TRACEBACK),
        "repeated_non_idempotent_calls": repeated,
        "repeated_non_idempotent_calls_target": 0,
        "non_idempotent_calls": sum(reached for reached, _ in repeats.values()),
        "presses": sum(presses.values()),
        "operations_started": len(operations),
        "operations_final": len(final),
        "operations_final_target": len(operations),
        "operations_final_wait_s": round(waited, 1),
        "operations_final_bound_s": plan.final_within,
        "worker_kills": plan.worker_kills,
        "upstream_calls": sum(upstream.values()),
        "upstream_5xx_injected": upstream["502"] + upstream["503"],
        "upstream_timeouts": upstream["timeout"],
        "upstream_429": upstream["429"],
        "upstream_401": upstream["401"],
        "url_names": len(all_names()),
        "url_names_reached": len(set(all_names()) & covered),
        "machine": f"{platform.node()}: {platform.platform()}, {platform.processor() or '?'}",
        "python": platform.python_version(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - started, 1),
    }
    result = Result(figures)
    for a in errors:
        result.defects.append(f"{a.status} {a.method} {a.url} as {a.persona} under {a.faults}")
    for a in unanswered:
        result.defects.append(f"no answer: {a.method} {a.url} as {a.persona} under {a.faults}")
    for excerpt in web_tracebacks:
        result.defects.append(f"traceback in the gunicorn log:\n{excerpt}")
    for route, (reached, allowed) in repeats.items():
        if reached > allowed:
            result.defects.append(f"{route}: {reached} calls reached the sandbox, {allowed} sent")
    for op_id, kind, status, _, server, progress in operations:
        if status not in ("succeeded", "failed"):
            result.defects.append(
                f"operation {op_id} ({kind} on /servers/{server}/) still {status} "
                f"{waited:.0f} s after the rounds: {progress}"
            )
    result.notes.append("URL names no persona reached: " + (", ".join(missing) or "none"))
    result.notes += [f"{route}: {r} reached, {a} allowed" for route, (r, a) in repeats.items()]
    return result
