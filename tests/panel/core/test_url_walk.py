"""Walks every URL pattern of the panel and proves the access rules hold for each:

- an anonymous visitor is sent to the login page (except the few public URLs);
- a user without a grant gets 404 from every server-scoped page;
- a non-admin gets 403 from every admin page.

A new URL that is not classified below makes this test fail, so none slips through.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from panel.grants.models import Grant

PUBLIC = {"accounts:login", "core:healthz", "core:branding_css"}
# Pages any logged-in user may open (they show only what the user may see).
USER = {
    "core:home",
    "servers:list",
    "servers:refresh",
    "accounts:logout",
    "accounts:password_change",
    "accounts:password_change_done",
}
SERVER_SCOPED = {"servers:detail"}
ADMIN = {
    "core:status",
    "accounts:user_list",
    "accounts:user_create",
    "connections:list",
    "connections:add",
    "connections:detail",
    "connections:reauth",
    "connections:password",
    "connections:refresh",
    "connections:delete",
    "grants:user",
    "grants:revoke",
}


def _names(patterns=None, namespace=""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.pattern.converters


def _all():
    return dict(_names())


def test_every_url_is_classified():
    assert set(_all()) == PUBLIC | USER | SERVER_SCOPED | ADMIN


@pytest.fixture
def url_for(servers, alice, bob, connection):
    """A URL for each name; server pks point at a server bob has NO grant on."""
    grant = Grant.objects.filter(user=bob).first()
    hidden = servers[-1]
    kwargs_for = {
        "pk": hidden.pk,
        "user_id": bob.pk,
    }

    def build(name: str) -> str:
        converters = _all()[name]
        kwargs = {}
        for key in converters:
            if name.startswith("connections:"):
                kwargs[key] = connection.pk
            elif name == "grants:revoke":
                kwargs[key] = grant.pk
            else:
                kwargs[key] = kwargs_for[key]
        return reverse(name, kwargs=kwargs)

    return build


@pytest.mark.parametrize("name", sorted(USER | SERVER_SCOPED | ADMIN))
def test_anonymous_visitors_are_sent_to_login(client, url_for, name):
    url = url_for(name)
    login = reverse("accounts:login")
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (name, method)
        assert response["Location"].startswith(login), name


@pytest.mark.parametrize("name", sorted(SERVER_SCOPED))
def test_users_without_a_grant_get_404_for_server_pages(client, url_for, charlie, bob, name):
    url = url_for(name)
    for user in (charlie, bob):  # bob has grants, but not on this server
        client.force_login(user)
        assert client.get(url).status_code == 404, (name, user)
        assert client.post(url).status_code in (404, 405), (name, user)


@pytest.mark.parametrize("name", sorted(ADMIN))
def test_non_admins_get_403_for_admin_pages(client, url_for, bob, charlie, name):
    url = url_for(name)
    for user in (bob, charlie):
        client.force_login(user)
        assert client.get(url).status_code in (403, 405), (name, user)
        assert client.post(url).status_code == 403, (name, user)


@pytest.mark.parametrize("name", sorted((ADMIN | USER | SERVER_SCOPED) - {"accounts:logout"}))
def test_admins_can_open_every_page(client, url_for, alice, name, monkeypatch):
    from panel.core import health

    monkeypatch.setattr(health, "check_celery", lambda: health.Check("Celery", True, "stub"))
    client.force_login(alice)
    response = client.get(url_for(name))
    assert response.status_code in (200, 302, 405), name


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_urls_answer_anonymous_visitors(client, db, name):
    assert client.get(reverse(name)).status_code == 200
