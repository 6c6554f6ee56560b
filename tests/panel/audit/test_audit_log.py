"""The audit log: append-only, written by logins and every change, shown per server to
those who see it and in full to admins (filters, paging, CSV)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from panel.accounts.models import User
from panel.audit.log import record
from panel.audit.models import AppendOnly, AuditEntry
from panel.audit.tasks import prune_audit_log

from ..conftest import PASSWORD


def test_an_entry_cannot_be_changed_or_deleted(db, alice):
    entry = record("auth.login", actor=alice)
    entry.message = "changed"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.update(message="changed")
    assert AuditEntry.objects.get().message == ""


def test_deleting_a_user_or_a_server_keeps_the_history(db, alice, servers):
    user = User.objects.create_user("temp", password="x")
    record("power.reboot", actor=user, server=servers[0])
    user.delete()
    servers[0].delete()
    entry = AuditEntry.objects.get(action="power.reboot")
    assert entry.actor is None and entry.actor_name == "temp"
    assert entry.server is None and entry.server_name and entry.srv_id


def test_logins_logouts_and_failures_are_recorded(client, alice):
    client.post(reverse("accounts:login"), {"username": "alice", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "result", "actor_name"))
    assert actions == [
        ("auth.login_failed", "refused", "alice"),
        ("auth.login", "ok", "alice"),
        ("auth.logout", "ok", "alice"),
    ]
    assert AuditEntry.objects.get(action="auth.login").source_address == "127.0.0.1"
    assert "wrong" not in str(list(AuditEntry.objects.values()))


def test_admin_changes_are_recorded(alice_client, bob, servers):
    alice_client.post(
        reverse("grants:user", args=[bob.pk]),
        {"preset": "viewer", "servers": [servers[3].pk]},
    )
    entry = AuditEntry.objects.get(action="grant.create")
    assert entry.server == servers[3] and entry.details["user"] == "bob"
    alice_client.post(
        reverse("users:user_create"),
        {"username": "dora", "password": "a long passphrase 42"},
    )
    entry = AuditEntry.objects.get(action="user.create")
    assert entry.details["user"] == "dora"
    assert "passphrase" not in str(entry.details)


def _reboot(client, row):
    url = reverse("servers:reboot", args=[row.pk])
    return client.post(url, {"idempotency_key": uuid.uuid4().hex}, HTTP_HX_REQUEST="true")


def test_the_activity_tab_shows_what_was_done_without_addresses(bob_client, servers, sandbox):
    _reboot(bob_client, servers[0])
    record("power.reboot", server=servers[5], actor_name="someone-else")  # not bob's
    response = bob_client.get(reverse("audit:server", args=[servers[0].pk]))
    assert response.status_code == 200
    assert "Reboot" in response.text and "bob" in response.text
    assert "127.0.0.1" not in response.text  # source addresses are for admins
    assert "someone-else" not in response.text
    assert bob_client.get(reverse("audit:server", args=[servers[5].pk])).status_code == 404


def test_admins_see_source_addresses_on_the_activity_tab(alice_client, servers, sandbox):
    _reboot(alice_client, servers[0])
    assert "127.0.0.1" in alice_client.get(reverse("audit:server", args=[servers[0].pk])).text


def test_the_global_page_is_for_admins_with_filters(client, alice, bob, servers):
    client.force_login(bob)
    _reboot(client, servers[0])
    assert client.get(reverse("audit:list")).status_code == 403
    record("server.rename", server=servers[1], actor=bob, details={"old": "a", "new": "b"})
    client.force_login(alice)
    alice_client = client
    page = alice_client.get(reverse("audit:list"), {"user": "BOB", "action": "power.reboot"})
    assert page.status_code == 200
    rows = page.context["page"].object_list
    assert [e.action for e in rows] == ["power.reboot"]
    by_server = alice_client.get(reverse("audit:list"), {"server": str(servers[1].srv_id)})
    assert [e.action for e in by_server.context["page"].object_list] == ["server.rename"]
    bad = alice_client.get(reverse("audit:list"), {"since": "2026-02-02", "until": "2026-01-01"})
    assert "The end date is before the start date." in bad.text


def test_the_global_page_pages(alice_client, alice, servers):
    for _ in range(55):
        record("power.reboot", server=servers[0], actor=alice)
    first = alice_client.get(reverse("audit:list"))
    assert len(first.context["page"].object_list) == 50
    assert "Page 1 of 2" in first.text
    second = alice_client.get(reverse("audit:list"), {"page": 2})
    assert len(second.context["page"].object_list) == 6  # and alice's login


def test_the_csv_export_is_streamed_and_spreadsheet_safe(alice_client, alice, servers):
    record("server.rename", server=servers[0], actor=alice, details={"new": "=HYPERLINK(1)"})
    response = alice_client.get(reverse("audit:export"))
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("time,user,action")
    assert "server.rename" in body
    assert "'new==HYPERLINK(1)" not in body  # details joined as key=value
    assert ",=" not in body  # no cell starts with =


def test_old_entries_are_pruned_by_age(db, alice, settings):
    settings.PANEL_AUDIT_RETENTION_DAYS = 30
    old = record("auth.login", actor=alice)
    # An old entry is made by writing it with a time in the past.
    AuditEntry(action="auth.login", actor_name="a", at=timezone.now() - timedelta(days=31)).save()
    assert prune_audit_log() == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [old.pk]
