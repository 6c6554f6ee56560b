"""The secrets of e-mailed links stay out of the web server's access log: one small
gunicorn, started as the Docker image starts it (from the project's folder, so that it
reads gunicorn.conf.py), on a free loopback port."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from panel.site.accesslog import HideSecrets, hide_secrets

from ..e2e.stack import free_port, http_ok, wait_until
from .conftest import ROOT

SECRET = "s3cret-Token_value"


def test_it_hides_the_secrets_of_invitation_and_reset_links():
    assert hide_secrets(f"GET /teams/join/?token={SECRET} HTTP/1.1") == (
        "GET /teams/join/?token=[hidden] HTTP/1.1"
    )
    assert (
        hide_secrets(f"/teams/join/?a=1&token={SECRET}&b=2")
        == "/teams/join/?a=1&token=[hidden]&b=2"
    )
    assert hide_secrets(f"/users/reset/MQ/{SECRET}/") == "/users/reset/MQ/[hidden]/"
    assert hide_secrets("/users/reset/MQ/set-password/") == "/users/reset/MQ/set-password/"
    assert hide_secrets("/servers/?q=web&page=2") == "/servers/?q=web&page=2"


def test_runservers_request_lines_hide_them_too():
    """`make demo` runs Django's runserver, which logs each request on `django.server`."""
    (handler,) = logging.getLogger("django.server").handlers
    assert any(isinstance(f, HideSecrets) for f in handler.filters)
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s',
        (f"GET /teams/join/?token={SECRET} HTTP/1.1", "302", "0"), None,
    )  # fmt: skip
    HideSecrets().filter(record)
    assert SECRET not in record.getMessage()


def _get(url: str) -> None:
    # A redirect to the login page or a 4xx: the line is logged all the same.
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(url, timeout=10).close()  # noqa: S310 - our own URL


@pytest.fixture
def gunicorn(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PANEL_", "DATABASE_URL"))}
    env.update(
        PANEL_DEBUG="1",
        PANEL_DATA_DIR=str(tmp_path),
        PANEL_CACHE_PREFIX=f"access-log-{os.getpid()}",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    manage = [sys.executable, "manage.py", "migrate", "--noinput"]
    subprocess.run(manage, cwd=ROOT, env=env, check=True, capture_output=True)
    port, log = free_port(), tmp_path / "access.log"
    command = [
        sys.executable, "-m", "gunicorn", "panel.wsgi:application", "-b", f"127.0.0.1:{port}",
        "--workers", "1", "--access-logfile", str(log),
    ]  # fmt: skip
    web = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: http_ok(f"{url}/healthz"), "gunicorn answering", timeout=30)
        yield url, log
    finally:
        web.terminate()
        web.wait(timeout=10)


def test_gunicorns_access_log_keeps_no_token(gunicorn):
    url, log = gunicorn
    _get(f"{url}/teams/join/?token={SECRET}")
    _get(f"{url}/users/reset/MQ/{SECRET}/")
    wait_until(lambda: "/users/reset/" in log.read_text(), "the access log line", timeout=10)
    text = log.read_text()
    assert "GET /teams/join/?token=[hidden] HTTP/1.1" in text
    assert "GET /users/reset/MQ/[hidden]/ HTTP/1.1" in text
    assert SECRET not in text
