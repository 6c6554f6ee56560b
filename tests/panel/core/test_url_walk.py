"""Walks every URL pattern of the panel and proves the access rules hold for each:

- an anonymous visitor is sent to the login page (except the few public URLs);
- a user without a grant gets 404 from every server-scoped page;
- a non-admin gets 403 from every admin page, for GET and POST alike;
- an admin gets exactly the expected answer from every page (200, 405 for POST-only
  views, a redirect only where the page is a redirect).

A new URL that is not classified in urlwalk.py makes this test fail, so none slips through.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.grants import services as grant_services
from panel.grants.models import Grant
from panel.grants.permissions import ALL_KEYS

from ..conftest import calls, log_in
from .urlwalk import (
    ADMIN,
    API,
    CONNECTION_KEYS,
    GET_ONLY,
    POST_ONLY,
    PUBLIC,
    PUBLIC_KWARGS,
    REDIRECTS,
    SERVER_KEYS,
    SERVER_SCOPED,
    STATUS,
    USER,
    all_names,
    url_builder,
)


def test_every_url_is_classified():
    assert set(all_names()) == PUBLIC | USER | SERVER_SCOPED | set(CONNECTION_KEYS) | ADMIN | API
    names = set(all_names())
    assert names >= POST_ONLY | GET_ONLY | set(REDIRECTS)


@pytest.fixture
def url_for(servers, alice, bob, connection):
    """A URL for each name; server pks point at a server bob has NO grant on."""
    grant = Grant.objects.filter(user=bob).first()
    return url_builder(connection=connection, server=servers[-1], user=bob, grant=grant)


@pytest.mark.parametrize("name", sorted(USER | SERVER_SCOPED | set(CONNECTION_KEYS) | ADMIN))
def test_anonymous_visitors_are_sent_to_login(client, url_for, name):
    url = url_for(name)
    login = reverse("accounts:login")
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (name, method)
        assert response["Location"].startswith(login), name


@pytest.mark.parametrize("name", sorted(SERVER_SCOPED | set(CONNECTION_KEYS)))
def test_users_without_a_grant_get_404_for_server_pages(client, url_for, charlie, bob, name):
    url = url_for(name)
    users = (charlie, bob) if name in SERVER_SCOPED else (charlie,)
    for user in users:  # bob has grants, but not on this server
        client.force_login(user)
        # 405: the method is refused before any lookup, the same for every pk, so it
        # tells nothing about the server.
        assert client.get(url).status_code == (405 if name in POST_ONLY else 404), (name, user)
        assert client.post(url).status_code == (405 if name in GET_ONLY else 404), (name, user)


@pytest.mark.parametrize(
    "name", sorted(n for n, key in SERVER_KEYS.items() if key != "server.view")
)
def test_every_key_but_the_one_an_action_needs_is_403_and_no_call(
    client, url_for, alice, servers, sandbox, name
):
    """The map in urlwalk.py: this URL needs exactly SERVER_KEYS[name]."""
    user = alice.__class__.objects.create_user("almost", password="x")
    grant_services.grant(alice, user, ALL_KEYS - {SERVER_KEYS[name]}, server=servers[-1])
    client.force_login(user)
    before = sum(sum(by_status.values()) for by_status in sandbox.stats()["calls"].values())
    url = url_for(name)
    if name not in POST_ONLY:
        assert client.get(url).status_code == 403, name
    if name not in GET_ONLY:
        assert client.post(url, {"idempotency_key": "0" * 32}).status_code == 403, name
    after = sum(sum(by_status.values()) for by_status in sandbox.stats()["calls"].values())
    assert after == before, name


@pytest.mark.parametrize("name", sorted(CONNECTION_KEYS))
def test_connection_pages_need_their_key(client, url_for, bob, sandbox, name):
    client.force_login(bob)  # sees servers of the connection, without billing.view
    assert client.get(url_for(name)).status_code == 403
    assert calls(sandbox, "GET /my/account") == 0


@pytest.mark.parametrize("name", sorted(ADMIN))
def test_non_admins_get_403_for_admin_pages(client, url_for, bob, charlie, name):
    url = url_for(name)
    for user in (bob, charlie):
        client.force_login(user)
        assert client.get(url).status_code == 403, (name, user)
        assert client.post(url).status_code == 403, (name, user)


@pytest.mark.parametrize(
    "name", sorted((ADMIN | USER | SERVER_SCOPED | set(CONNECTION_KEYS)) - {"accounts:logout"})
)
def test_admins_can_open_every_page(client, url_for, alice, name):
    log_in(client, alice)  # in sudo mode, as after a login: no confirmation asked
    response = client.get(url_for(name))
    if name in POST_ONLY:
        assert response.status_code == 405, name
    elif name in REDIRECTS:
        assert response.status_code == 302, name
        assert response["Location"] == reverse(REDIRECTS[name]), name
    else:
        assert response.status_code == STATUS.get(name, 200), name


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_public_urls_answer_anonymous_visitors(client, db, name):
    url = reverse(name, kwargs=PUBLIC_KWARGS.get(name))
    response = client.post(url) if name in POST_ONLY else client.get(url)
    if name in REDIRECTS:
        assert response.status_code == 302
        assert response["Location"] == reverse(REDIRECTS[name])
    else:
        assert response.status_code == 200
