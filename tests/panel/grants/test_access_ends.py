"""Access ends at once: an open session (a logged-in client, as a browser tab that stays
open and keeps polling) is held across each change, and its very next request is refused.
Nothing is cached: the access path reads grants, memberships and the user each request."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panel.audit.models import AuditEntry
from panel.grants import services
from panel.grants.models import Grant
from panel.grants.permissions import PRESETS
from panel.teams import services as teams

HTMX = {"HTTP_HX_REQUEST": "true"}


def page(row):
    return reverse("servers:detail", args=[row.pk])


def poll(client, row):
    """What an open server page keeps asking (htmx, every 2 s while the power changes)."""
    url = reverse("servers:power_status", args=[row.pk])
    return client.get(url, {"action": "reboot", "goal": "on", "started": int(time.time())}, **HTMX)


@pytest.fixture
def team(alice, charlie, servers):
    team = teams.create_team(alice, "Night shift")
    teams.add_member(alice, team, charlie)
    services.grant(alice, team, PRESETS["operator"], server=servers[3])
    return team


@pytest.fixture
def admin():
    """alice, in a browser of her own."""
    return Client()


def test_removing_someone_from_a_team_ends_it_on_their_next_request(
    charlie_client, admin, alice, team, servers
):
    row = servers[3]
    assert charlie_client.get(page(row)).status_code == 200
    assert poll(charlie_client, row).status_code in (200, 286)
    admin.force_login(alice)
    membership = team.memberships.get()
    url = reverse("teams:member_remove", args=[team.pk, membership.pk])
    assert admin.post(url).status_code == 302
    assert charlie_client.get(page(row)).status_code == 404
    assert poll(charlie_client, row).status_code == 404
    assert charlie_client.get(reverse("servers:list")).status_code == 200
    assert row.display_name not in charlie_client.get(reverse("servers:list")).text


def test_revoking_ends_it_on_the_next_request(bob_client, admin, alice, servers):
    row = servers[0]
    assert bob_client.get(page(row)).status_code == 200
    admin.force_login(alice)
    grant = Grant.objects.get(user__username="bob", server=row)
    assert admin.post(reverse("grants:revoke", args=[grant.pk])).status_code == 302
    assert bob_client.get(page(row)).status_code == 404
    assert poll(bob_client, row).status_code == 404


def test_taking_a_key_away_ends_that_action_on_the_next_request(
    bob_client, admin, alice, servers, sandbox
):
    row = servers[0]
    grant = Grant.objects.get(user__username="bob", server=row)
    admin.force_login(alice)
    admin.post(reverse("grants:edit", args=[grant.pk]), {"preset": "viewer"})
    reboot = reverse("servers:reboot", args=[row.pk])
    assert bob_client.post(reboot, {"idempotency_key": "c" * 32}).status_code == 403
    assert bob_client.get(page(row)).status_code == 200  # still sees it


def test_an_expired_grant_ends_it_with_no_job(bob_client, servers, monkeypatch):
    row = servers[0]
    ends = timezone.now() + timezone.timedelta(minutes=5)
    Grant.objects.filter(user__username="bob").update(expires_at=ends)
    assert bob_client.get(page(row)).status_code == 200
    later = ends + timezone.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert bob_client.get(page(row)).status_code == 404
    assert poll(bob_client, row).status_code == 404


def test_disabling_a_user_logs_them_out_on_the_next_request(bob_client, bob, servers):
    row = servers[0]
    assert bob_client.get(page(row)).status_code == 200
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    response = bob_client.get(page(row))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )
    polled = poll(bob_client, row)  # htmx is sent to the login page as a whole page
    assert polled.status_code == 200 and polled["HX-Redirect"].startswith(reverse("accounts:login"))


def test_deleting_a_team_ends_its_access(charlie_client, admin, alice, team, servers):
    assert charlie_client.get(page(servers[3])).status_code == 200
    admin.force_login(alice)
    assert admin.post(reverse("teams:delete", args=[team.pk])).status_code == 302
    assert charlie_client.get(page(servers[3])).status_code == 404


def test_end_all_sessions_logs_the_user_out_everywhere(admin, alice, bob, servers):
    browsers = [Client(), Client()]
    for browser in browsers:
        browser.force_login(bob)
        assert browser.get(page(servers[0])).status_code == 200
    admin.force_login(alice)
    url = reverse("grants:end_sessions", args=[bob.pk])
    assert admin.get(url).status_code == 200  # the question first (without JavaScript)
    response = admin.post(url, follow=True)
    assert "bob was logged out everywhere (2 sessions)" in response.text
    for browser in browsers:
        answer = browser.get(page(servers[0]))
        assert answer.status_code == 302 and answer["Location"].startswith(
            reverse("accounts:login")
        )
    assert admin.get(reverse("servers:list")).status_code == 200  # alice is still in
    entry = AuditEntry.objects.get(action="user.sessions_end")
    assert entry.actor == alice and entry.details == {"user": "bob", "ended": 2}
    # bob can log in again (disabling him is what stops that).
    assert Client().login(username="bob", password="password")


def test_ending_your_own_sessions_keeps_the_one_you_click_from(admin, alice):
    other = Client()
    other.force_login(alice)
    admin.force_login(alice)
    admin.post(reverse("grants:end_sessions", args=[alice.pk]))
    assert admin.get(reverse("servers:list")).status_code == 200
    assert other.get(reverse("servers:list")).status_code == 302
    assert Session.objects.count() == 1


def test_a_running_task_rechecks_team_membership(
    charlie_client, alice, team, servers, sandbox, queued
):
    from panel.operations import tasks
    from panel.operations.models import Operation

    from ..conftest import calls

    row = servers[3]
    take = reverse("snapshots:take", args=[row.pk])
    response = charlie_client.post(take, {"name": "before", "idempotency_key": "d" * 32}, **HTMX)
    assert response.status_code == 200
    op = Operation.objects.get()
    assert queued == [op.pk]
    teams.remove_member(alice, team.memberships.get())  # before a worker took it
    tasks.run_operation(op.pk)
    op.refresh_from_db()
    assert op.status == "failed" and "Permission withdrawn" in op.error
    assert calls(sandbox, "POST /servers/{id}/snapshot") == 0


def test_a_running_task_rechecks_expiry(bob_client, bob, servers, sandbox, queued, monkeypatch):
    from panel.operations import tasks
    from panel.operations.models import Operation

    row = servers[0]
    take = reverse("snapshots:take", args=[row.pk])
    bob_client.post(take, {"name": "before", "idempotency_key": "e" * 32}, **HTMX)
    op = Operation.objects.get()
    Grant.objects.filter(user=bob).update(expires_at=timezone.now())
    tasks.run_operation(op.pk)
    op.refresh_from_db()
    assert op.status == "failed" and "Permission withdrawn" in op.error
