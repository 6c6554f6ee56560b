"""Rename in place: validated as the API takes it, one call, the list shows it at once."""

from __future__ import annotations

import re
import uuid

from django.urls import reverse

from panel.audit.models import AuditEntry

from ..conftest import calls

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "server-name"}


def rename(client, row, name, k=None, **headers):
    url = reverse("servers:rename", args=[row.pk])
    return client.post(url, {"name": name, "idempotency_key": k or uuid.uuid4().hex}, **headers)


def test_the_form_opens_in_place(bob_client, servers):
    response = bob_client.get(reverse("servers:rename", args=[servers[0].pk]), **HTMX)
    assert response.status_code == 200
    assert "New name" in response.text and "Save name" in response.text
    assert "<html" not in response.text


def test_a_rename_is_one_call_audited_and_listed_at_once(bob_client, bob, servers, sandbox):
    row = servers[0]
    old = row.display_name
    response = rename(bob_client, row, "  shop-frontend  ", **HTMX)
    assert response.status_code == 200
    assert "shop-frontend" in response.text
    assert calls(sandbox, "PUT /servers/{id}/name") == 1
    assert sandbox.state.servers[row.srv_id].name == "shop-frontend"
    row.refresh_from_db()
    assert row.display_name == "shop-frontend"
    assert "shop-frontend" in bob_client.get(reverse("servers:list")).text
    entry = AuditEntry.objects.get(action="server.rename")
    assert entry.actor == bob and entry.details == {"old": old, "new": "shop-frontend"}


def test_a_double_submit_renames_once(bob_client, servers, sandbox):
    k = uuid.uuid4().hex
    rename(bob_client, servers[0], "one", k, **HTMX)
    second = rename(bob_client, servers[0], "one", k, **HTMX)
    assert calls(sandbox, "PUT /servers/{id}/name") == 1
    assert "one" in second.text


def test_bad_names_get_a_message_and_no_call(bob_client, servers, sandbox):
    for name in ("", "   ", "x" * 101, "tab\there"):
        response = rename(bob_client, servers[0], name, **HTMX)
        assert response.status_code == 422, name
        assert 'role="alert"' in response.text
    assert calls(sandbox, "PUT /servers/{id}/name") == 0


def test_without_javascript_a_page_and_a_redirect(bob_client, servers, sandbox):
    page = bob_client.get(reverse("servers:rename", args=[servers[0].pk]))
    assert page.status_code == 200 and "<html" in page.text
    keys = re.findall(r'name="idempotency_key" value="([0-9a-f]*)"', page.text)
    assert len(keys) == 1 and len(keys[0]) == 32
    response = rename(bob_client, servers[0], "plain-form", follow=True)
    assert "plain-form" in response.text
    assert response.redirect_chain[-1][0] == reverse("servers:detail", args=[servers[0].pk])


def test_without_the_key_403_and_no_call(client, alice, servers, sandbox):
    from panel.grants import services as grant_services

    user = alice.__class__.objects.create_user("v", password="x")
    grant_services.grant(alice, user, ["server.view", "power.control"], server=servers[0])
    client.force_login(user)
    assert rename(client, servers[0], "nope").status_code == 403
    assert calls(sandbox, "PUT /servers/{id}/name") == 0


def test_an_upstream_failure_keeps_the_name_and_says_so(bob_client, servers, sandbox):
    sandbox.set_faults({"error_rate": 1.0, "routes": ["PUT /servers/{id}/name"]})
    response = rename(bob_client, servers[0], "new-name", **HTMX)
    assert response.status_code == 200
    assert "had a problem answering" in response.text
    servers[0].refresh_from_db()
    assert servers[0].display_name != "new-name"
