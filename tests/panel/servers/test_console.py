"""Open console: one POST /ipmi, the password shown once and kept nowhere."""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.urls import reverse

from panel.audit.models import AuditEntry
from panel.servers.models import MirroredServer

from ..conftest import calls

HTMX = {"HTTP_HX_REQUEST": "true"}
ROUTE = "POST /servers/{id}/ipmi"


def open_console(client, row, k=None, **headers):
    url = reverse("servers:console", args=[row.pk])
    return client.post(url, {"idempotency_key": k or uuid.uuid4().hex}, **headers)


def test_the_console_opens_with_copy_buttons_and_no_store(bob_client, servers, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    row = servers[0]
    response = open_console(bob_client, row, **HTMX)
    assert response.status_code == 200
    assert calls(sandbox, ROUTE) == 1
    password = sandbox.state.servers[row.srv_id].ipmi["kvm_password"]
    assert password in response.text
    assert "Copy password" in response.text and "Copy username" in response.text
    assert "left" in response.text  # the countdown
    assert "no-store" in response["Cache-Control"]
    # Kept nowhere: not in the audit log, the cache, the logs.
    entry = AuditEntry.objects.get(action="console.open")
    assert password not in str(entry.details) + entry.message
    client = cache._cache.get_client(write=True)
    for redis_key in client.scan_iter(match="*", _type="string"):
        value = client.get(redis_key)
        assert value is None or password.encode() not in value
    assert password not in caplog.text
    row.refresh_from_db()
    assert password not in str(row.raw)


def test_a_double_submit_is_one_call_and_shows_no_password(bob_client, servers, sandbox):
    k = uuid.uuid4().hex
    open_console(bob_client, servers[0], k, **HTMX)
    second = open_console(bob_client, servers[0], k, **HTMX)
    assert calls(sandbox, ROUTE) == 1
    password = sandbox.state.servers[servers[0].srv_id].ipmi["kvm_password"]
    assert password not in second.text


def test_not_offered_without_a_management_interface(alice_client, connection, sandbox):
    row = MirroredServer.objects.get(connection=connection, display_name="mail")
    html = alice_client.get(reverse("servers:detail", args=[row.pk])).text
    assert "Open console" not in html
    response = open_console(alice_client, row, **HTMX)
    assert "no console" in response.text


def test_without_javascript_the_details_get_a_page(bob_client, servers, sandbox):
    response = open_console(bob_client, servers[0])
    assert response.status_code == 200 and "<html" in response.text
    assert "no-store" in response["Cache-Control"]
