"""scripts/healthcheck.py, the web container's HEALTHCHECK."""

from __future__ import annotations

import http.server
import socket
import threading

import pytest


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        ("panel.example.com,localhost", "panel.example.com"),
        (" .example.com ", "example.com"),
        ("*,panel.example.com", "panel.example.com"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_it_sends_a_host_django_allows(healthcheck, allowed, host):
    assert healthcheck.health_host(allowed) == host


@pytest.fixture
def panel(monkeypatch):
    """A stand-in web server answering with the status in `panel.status`."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        status = 200

        def do_GET(self):
            seen.append((self.path, self.headers["Host"]))
            self.send_response(Handler.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("PANEL_ALLOWED_HOSTS", "panel.example.com")
    yield Handler, server.server_address[1], seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("status", "code"), [(200, 0), (302, 0), (404, 0), (500, 1), (503, 1)])
def test_any_answer_below_500_is_healthy(healthcheck, panel, status, code):
    handler, port, seen = panel
    handler.status = status
    assert healthcheck.check(port) == code
    assert seen == [("/healthz", "panel.example.com")]


def test_nothing_listening_is_unhealthy(healthcheck):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert healthcheck.check(port, timeout=1) == 1
