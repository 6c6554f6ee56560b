"""Deployment hardening: logged-in pages are not cached, a 403 is one log line, and the
security headers every page carries."""

from __future__ import annotations

import io
import logging
import sys

import pytest
from django.urls import reverse

from panel.core.log import OneLineClientErrors

PRIVATE = "private, no-store"


@pytest.mark.parametrize(
    "name", ["servers:list", "connections:list", "users:user_list", "site:status"]
)
def test_every_logged_in_page_says_private_no_store(alice_client, servers, name):
    response = alice_client.get(reverse(name))
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE


def test_a_server_page_and_an_htmx_partial_too(alice_client, servers):
    response = alice_client.get(reverse("servers:detail", args=[servers[0].pk]))
    assert response["Cache-Control"] == PRIVATE
    response = alice_client.get(reverse("servers:list"), HTTP_HX_REQUEST="true")
    assert response["Cache-Control"] == PRIVATE


def test_a_page_that_says_its_own_cache_control_keeps_it(alice_client, servers, settings):
    url = reverse("graphs:image", args=[servers[0].pk, "bandwidth", "day"])
    response = alice_client.get(url)
    assert response["Cache-Control"] == f"private, max-age={settings.PANEL_GRAPH_TTL}"
    # The login page is never_cache'd by Django: no-store as well.
    assert "no-store" in alice_client.get(reverse("accounts:login"))["Cache-Control"]


def test_healthz_and_anonymous_answers_are_left_alone(client, alice_client, db):
    assert not alice_client.get("/healthz").has_header("Cache-Control")
    client.logout()
    assert not client.get("/healthz").has_header("Cache-Control")
    redirect = client.get(reverse("servers:list"))
    assert redirect.status_code == 302 and not redirect.has_header("Cache-Control")


def test_the_security_headers(alice_client, servers, settings):
    response = alice_client.get(reverse("servers:list"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp


def test_hsts_is_sent_over_https_as_configured(alice_client, servers, settings):
    settings.SECURE_HSTS_SECONDS = 600
    settings.SECURE_SSL_REDIRECT = False
    response = alice_client.get(reverse("servers:list"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=600")


# --- a 403 in the log ----------------------------------------------------------------------


@pytest.fixture
def console():
    """What the panel's own console handler (settings.LOGGING) writes, during the test."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, OneLineClientErrors) for f in handler.filters)
    ]
    assert handlers, "settings.LOGGING installs the filter on the console handler"
    stream = io.StringIO()
    old = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, previous in zip(handlers, old, strict=True):
        handler.setStream(previous)


def test_a_403_is_logged_as_one_line(bob_client, servers, console):
    response = bob_client.get(reverse("users:user_list"))
    assert response.status_code == 403
    lines = [line for line in console.getvalue().splitlines() if "Forbidden" in line]
    assert len(lines) == 1, console.getvalue()
    assert "/users/" in lines[0]
    assert "Only panel administrators" in lines[0]  # the reason, on the same line
    assert "Traceback" not in console.getvalue()


def _record(status, message="Forbidden (Permission denied): %s", args=("/x/",)):
    try:
        raise PermissionError("100% not yours")
    except PermissionError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, message, args, exc_info)
    record.status_code = status
    return record


def test_the_filter_keeps_the_traceback_of_server_errors():
    record = _record(500)
    assert OneLineClientErrors().filter(record) and record.exc_info


def test_the_filter_puts_the_reason_on_the_line():
    record = _record(403)
    assert OneLineClientErrors().filter(record)
    assert record.exc_info is None
    assert record.getMessage() == "Forbidden (Permission denied): /x/ (100% not yours)"
