"""View as this user: an admin sees the panel as one user sees it, changes nothing, and
the view ends by itself after 15 minutes; start and end are audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.audit.models import AuditEntry
from panel.grants.models import Grant
from panel.users.viewing import ALLOWED, SESSION_KEY

from ..conftest import log_in
from ..core.urlwalk import API, all_names, url_builder


@pytest.fixture
def viewing_bob(client, alice, bob):
    log_in(client, alice)
    response = client.post(reverse("users:view_as", args=[bob.pk]))
    assert response.status_code == 302
    return client


def test_it_shows_the_panel_as_the_user_sees_it(viewing_bob, servers):
    page = viewing_bob.get(reverse("servers:list"))
    assert "You are viewing the panel as" in page.text and "bob" in page.text
    assert {row["title"] for row in page.context["rows"]} == {s.display_name for s in servers[:2]}
    assert viewing_bob.get(reverse("users:user_list")).status_code == 403  # bob is no admin
    assert viewing_bob.get(reverse("servers:detail", args=[servers[5].pk])).status_code == 404
    entry = AuditEntry.objects.get(action="user.view_as_start")
    assert entry.actor.username == "alice" and entry.details["user"] == "bob"


@pytest.fixture
def every_url(servers, bob, connection):
    return url_builder(
        connection=connection,
        server=servers[0],
        user=bob,
        grant=Grant.objects.filter(user=bob).first(),
    )


def test_every_post_is_refused_while_viewing(viewing_bob, every_url, sandbox):
    urls = {name: every_url(name) for name in set(all_names()) - set(ALLOWED)}
    before = sandbox.stats()["calls"]
    audited = AuditEntry.objects.count()
    api = {name for name in urls if name.startswith("api:")}
    for name in sorted(set(urls) - api):
        response = viewing_bob.post(urls[name], {"idempotency_key": "0" * 32})
        assert response.status_code == 403, name
        assert "Nothing was changed" in response.text, name
    # The API is token-only: a session, viewing or not, is no way in (its document and
    # documentation page answer GET only).
    for name in sorted(api):
        assert viewing_bob.post(urls[name]).status_code == (401 if name in API else 405)
    assert sandbox.stats()["calls"] == before
    assert AuditEntry.objects.count() == audited


def test_stop_viewing_gives_the_admin_back(viewing_bob):
    response = viewing_bob.post(reverse("users:view_as_stop"))
    assert response.status_code == 302
    assert viewing_bob.get(reverse("users:user_list")).status_code == 200
    entry = AuditEntry.objects.get(action="user.view_as_stop")
    assert entry.actor.username == "alice" and entry.details["ended"] == "stopped"


def test_it_ends_by_itself_after_15_minutes(viewing_bob):
    session = viewing_bob.session
    value = session[SESSION_KEY]
    assert value["until"] - AuditEntry.objects.get(
        action="user.view_as_start"
    ).at.timestamp() == pytest.approx(15 * 60, abs=5)
    session[SESSION_KEY] = {**value, "until": value["until"] - 15 * 60 - 1}
    session.save()
    page = viewing_bob.get(reverse("users:user_list"))
    assert page.status_code == 200 and "You are viewing" not in page.text
    entry = AuditEntry.objects.get(action="user.view_as_stop")
    assert entry.details["ended"] == "after 15 minutes"


def test_only_admins_may_start_it(client, bob, alice):
    client.force_login(bob)
    assert client.post(reverse("users:view_as", args=[alice.pk])).status_code == 403
    assert SESSION_KEY not in client.session
