"""When the reinstall call times out, or the worker process is killed in the middle of it,
the write is never sent again and the operation still reaches a final state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection as db_connection
from django.utils import timezone

from panel.commands.executor import execute
from panel.connections import services as connection_services
from panel.core.actors import Actor
from panel.operations.models import Operation
from panel.operations.tasks import follow_operation, run_operation, sweep_operations
from panel.reinstall.commands import Reinstall
from panel.servers import mirror
from panel.servers.models import MirroredServer
from terrahost_client.sandbox import process as sandbox_process

from ..conftest import calls, wait_for

ROOT = Path(__file__).resolve().parents[3]
REINSTALL = "POST /servers/{id}/reinstall"
ASKED = {
    "os_id": 101,
    "os_name": "Debian 12 64-bit",
    "distro": "Debian",
    "hostname": "fresh.example.com",
    "language": "en_US",
    "keyboard": "us",
    "timezone": "Europe/Oslo",
}


def start_reinstall(user, row) -> Operation:
    command = Reinstall(actor=Actor.person(user), server=row, key=uuid.uuid4().hex, asked=ASKED)
    outcome = execute(command)
    assert outcome.ok, outcome.message
    return Operation.objects.get(pk=outcome.data["operation"])


def test_a_timeout_ends_in_unknown_and_the_sweep_settles_it_with_one_call(
    operation_queue, transactional_db, alice, servers, sandbox
):
    row = servers[0]
    sandbox.set_faults({"timeout_rate": 1.0, "timeout_hold_seconds": 0.01, "routes": [REINSTALL]})
    op = start_reinstall(alice, row)
    run_operation(op.pk)  # no worker: the follow it queues waits in the queue
    op.refresh_from_db()
    assert op.status == "unknown" and op.sent_at is not None
    assert calls(sandbox, REINSTALL) == 1
    sandbox.set_faults({})
    # The worker died meanwhile: no heartbeat for a while. The sweep follows it again.
    Operation.objects.filter(pk=op.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert sweep_operations() == 1
    follow_operation(op.pk)  # what the sweep queued: a read only
    op.refresh_from_db()
    assert op.status == "running"  # the install shows: the reinstall did arrive
    sandbox.advance(300)
    follow_operation(op.pk)
    op.refresh_from_db()
    assert op.status == "succeeded"
    assert calls(sandbox, REINSTALL) == 1


def test_an_unknown_write_that_never_shows_fails_without_sending_again(
    operation_queue, transactional_db, alice, servers, sandbox
):
    # The write timed out an hour ago and the server shows no install: it never arrived.
    op = start_reinstall(alice, servers[0])
    an_hour_ago = timezone.now() - timedelta(hours=1)
    Operation.objects.filter(pk=op.pk).update(
        status="unknown", sent_at=an_hour_ago, started_at=an_hour_ago
    )
    follow_operation(op.pk)
    op.refresh_from_db()
    assert op.status == "failed" and "no sign" in op.error
    assert calls(sandbox, REINSTALL) == 0


def test_a_job_that_died_before_sending_fails_plainly(
    operation_queue, transactional_db, alice, servers, sandbox
):
    op = start_reinstall(alice, servers[0])
    Operation.objects.filter(pk=op.pk).update(
        status="running", heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    sweep_operations()
    op.refresh_from_db()
    assert op.status == "failed" and "before anything was sent" in op.error
    assert calls(sandbox, REINSTALL) == 0


# --- a real worker process, killed -----------------------------------------------------------


def _database_url() -> str:
    settings = db_connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    user, host = settings["USER"] or "postgres", settings["HOST"] or "127.0.0.1"
    return f"postgres://{user}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def _control(api_url: str, path: str, body: dict | None = None) -> dict:
    base = api_url.rsplit("/api/v3", 1)[0]
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - the sandbox on loopback
        base + "/_sandbox/" + path, data=data, method="POST" if data else "GET"
    )
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read() or b"{}")


def _reinstall_calls(api_url: str) -> int:
    return sum(_control(api_url, "stats")["calls"].get(REINSTALL, {}).values())


def _worker(queue: str, log: Path) -> subprocess.Popen:
    from django.conf import settings

    env = {
        **os.environ,
        "PANEL_DEBUG": "1",
        "PANEL_SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PANEL_CELERY_QUEUE": queue,
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "panel",
        "worker",
        "--pool",
        "solo",
        "-Q",
        queue,
        "--loglevel",
        "INFO",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


@pytest.mark.timeout(120)
def test_killing_the_worker_mid_reinstall_never_sends_it_twice(
    operation_queue, transactional_db, alice, tmp_path
):
    with sandbox_process.running("--servers", "4") as api_url:
        conn = connection_services.add_connection(
            connection_services.NewConnection(
                name="Live", username="demo", password="demo", base_url=api_url
            )
        )
        mirror.refresh_connection(conn, force=True)
        row = MirroredServer.objects.filter(connection=conn, type="vps").order_by("srv_id").first()
        # The reinstall call takes 3 s: long enough to kill the worker in the middle of it.
        _control(api_url, "faults", {"latency_ms": 3000, "routes": [REINSTALL]})
        worker = _worker(operation_queue, tmp_path / "worker.log")
        try:
            op = start_reinstall(alice, row)
            wait_for(
                lambda: Operation.objects.get(pk=op.pk).sent_at is not None,
                timeout=60,
                what="the worker to send",
            )
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
        _control(api_url, "faults", {})
        time.sleep(3.5)  # the sandbox finishes the call the dead worker made
        assert _reinstall_calls(api_url) == 1
        op.refresh_from_db()
        assert op.status == "running"  # left behind by the dead worker
        Operation.objects.filter(pk=op.pk).update(
            heartbeat_at=timezone.now() - timedelta(minutes=5)
        )
        worker = _worker(operation_queue, tmp_path / "worker2.log")
        try:
            sweep_operations()
            wait_for(
                lambda: "Installing" in Operation.objects.get(pk=op.pk).progress,
                timeout=60,
                what="the follow",
            )
            _control(api_url, "clock", {"advance": 300})
            wait_for(
                lambda: Operation.objects.get(pk=op.pk).status in Operation.FINAL,
                timeout=60,
                what="a final state",
            )
        finally:
            worker.terminate()
            worker.wait(15)
        op.refresh_from_db()
        assert op.status == "succeeded"
        assert _reinstall_calls(api_url) == 1
