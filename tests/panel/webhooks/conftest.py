"""Webhook tests: a real receiver over loopback, endpoints, and the events the apps announce.

The receiver is a small http.server in a thread on 127.0.0.1 that answers each request
with the next status of its script (then 200) and keeps what it got. Loopback is private,
so these tests allow private addresses unless they are about refusing them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from panel.core import crypto
from panel.core import events as core_events
from panel.core.events import EVENTS
from panel.webhooks import tasks
from panel.webhooks.models import Endpoint
from panel.webhooks.transport import new_secret

# The two customers of tests/panel/customers: Fjord (servers 0 and 1), Nordlys (2 and 3).
from ..customers.conftest import fjord, nordlys  # noqa: F401


@dataclass
class Received:
    headers: dict
    body: bytes
    path: str


@dataclass
class Script:
    """What the receiver answers, in order: a status, or (status, {header: value})."""

    answers: list = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    delay: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        script: Script = self.server.script
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        script.received.append(Received(dict(self.headers), body, self.path))
        if script.delay:
            threading.Event().wait(script.delay)
        answer = script.answers.pop(0) if script.answers else 200
        status, headers = answer if isinstance(answer, tuple) else (answer, {})
        self.send_response(status)
        for name, value in {"Content-Length": "0", **headers}.items():
            self.send_header(name, value)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    """The receiver's Script; its address is `receiver.url`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.script = Script()
    server.script.url = f"http://127.0.0.1:{server.server_port}/hooks"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.script
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_private(settings):
    settings.PANEL_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def sent(monkeypatch):
    """Attempts queued (delivery id, countdown) instead of sent to Celery; a test runs
    them itself with tasks.attempt(pk), as a worker would."""
    queued: list[tuple] = []

    def apply_async(args, kwargs=None, countdown=0, **options):
        queued.append((*args, countdown))

    monkeypatch.setattr(tasks.deliver, "apply_async", apply_async)
    return queued


def make_endpoint(url: str, *, customer=None, events=None, secret=None) -> Endpoint:
    endpoint = Endpoint.objects.create(
        url=url,
        events=list(EVENTS) if events is None else events,
        customer=customer,
        secret_encrypted=crypto.encrypt(secret or new_secret()),
    )
    endpoint.plain_secret = endpoint.secret
    return endpoint


@pytest.fixture
def announced():
    """Every event announced (type, data, customer_id), once its transaction committed."""
    seen: list[tuple] = []

    def listen(sender, *, type, data, customer_id, **kwargs):
        seen.append((type, data, customer_id))

    core_events.event.connect(listen, dispatch_uid="test-announced")
    yield seen
    core_events.event.disconnect(dispatch_uid="test-announced")
