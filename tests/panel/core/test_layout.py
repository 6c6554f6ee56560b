"""The base layout: CSP without unsafe-inline, no inline script/style, htmx bundled,
CSRF for htmx on <body>, the theme toggle, branding hooks."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from panel.grants.models import Grant
from panel.grants.permissions import PRESETS

from .urlwalk import (
    ADMIN,
    NOT_HTML,
    POST_ONLY,
    REDIRECTS,
    SERVER_KEYS,
    SERVER_SCOPED,
    STATUS,
    USER,
    url_builder,
)


def test_the_csp_has_no_unsafe_inline(alice_client, servers):
    response = alice_client.get(reverse("servers:list"))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp


TAG = re.compile(r"<[a-zA-Z][^>]*>")


def assert_no_inline_code(html: str, where) -> None:
    """No inline script or style of any kind: the CSP (script-src/style-src 'self') would
    block it, so the page would silently lose it."""
    assert not re.search(r"<style\b", html, re.I), where
    for tag in TAG.findall(html):
        if re.match(r"<script\b", tag, re.I):
            assert re.search(r"\ssrc\s*=", tag, re.I), (where, tag)
        assert not re.search(r"\sstyle\s*=", tag, re.I), (where, tag)
        assert not re.search(r"\son[a-z]+\s*=", tag, re.I), (where, tag)  # onclick= etc.
        assert not re.search(r"\shx-on", tag, re.I), (where, tag)
        assert "javascript:" not in tag.lower(), (where, tag)


def _get_pages(names, build):
    return [
        (build(name), STATUS.get(name, 200))
        for name in sorted(names - POST_ONLY - NOT_HTML - set(REDIRECTS) - {"accounts:logout"})
    ]


def test_every_page_an_admin_can_open_has_no_inline_code(alice_client, bob, servers, connection):
    build = url_builder(
        connection=connection,
        server=servers[0],
        user=bob,
        grant=Grant.objects.filter(user=bob).first(),
    )
    pages = _get_pages(ADMIN | USER | SERVER_SCOPED, build)
    urls = [url for url, _ in pages]
    assert reverse("grants:user", args=[bob.pk]) in urls
    assert reverse("connections:detail", args=[connection.pk]) in urls
    assert reverse("site:status") in urls
    for url, status in pages:
        response = alice_client.get(url)
        assert response.status_code == status, url
        assert_no_inline_code(response.text, url)


def test_every_page_a_customer_can_open_has_no_inline_code(bob_client, bob, servers):
    build = url_builder(connection=None, server=servers[0], user=bob, grant=None)
    operator = {name for name, key in SERVER_KEYS.items() if key in PRESETS["operator"]}
    for url, status in _get_pages(USER | operator, build):
        response = bob_client.get(url)
        assert response.status_code == status, url
        assert_no_inline_code(response.text, url)


def test_pages_in_their_other_states_have_no_inline_code(alice_client, connection, servers):
    """Forms with errors, the 2FA code step, a connection waiting for a code, a server
    whose details cannot be loaded, the htmx partials."""
    from panel.connections.models import Connection

    add = reverse("connections:add")
    data = {"name": "X", "username": "demo", "password": "wrong", "base_url": connection.base_url}
    responses = {
        "add with an error": alice_client.post(add, data),
        "2fa code step": alice_client.post(
            add, {**data, "username": "demo-2fa", "password": "demo"}
        ),
        "password with an error": alice_client.post(
            reverse("connections:password", args=[connection.pk]), {"password": ""}
        ),
    }
    alice_client.post(add, {"step": "code", "action": "cancel"})
    Connection.objects.filter(pk=connection.pk).update(auth_state="needs_reauth")
    detail = reverse("connections:detail", args=[connection.pk])
    responses["needs re-authentication"] = alice_client.get(detail)
    responses["servers waiting for a code"] = alice_client.get(reverse("servers:list"))
    responses["server waiting for a code"] = alice_client.get(
        reverse("servers:detail", args=[servers[0].pk])
    )
    responses["list partial"] = alice_client.get(
        reverse("servers:list"), headers={"HX-Request": "true", "HX-Target": "server-table"}
    )
    for where, response in responses.items():
        assert response.status_code in (200, 400), where
        assert_no_inline_code(response.text, where)


def test_the_login_and_error_pages_have_no_inline_code(client, bob_client, rf, db):
    from django.test import Client

    from panel.site.views import server_error

    pages = {
        "login": client.get(reverse("accounts:login")).text,
        "login with an error": client.post(
            reverse("accounts:login"), {"username": "x", "password": "y"}
        ).text,
        "404": bob_client.get("/no/such/page/").text,
        "403": bob_client.get(reverse("connections:list")).text,
        "403 csrf": Client(enforce_csrf_checks=True)
        .post(reverse("accounts:login"), {"username": "x", "password": "y"})
        .text,
        "500": server_error(rf.get("/")).content.decode(),
    }
    assert "That form had expired" in pages["403 csrf"]
    for where, html in pages.items():
        assert_no_inline_code(html, where)


def test_the_checker_finds_inline_code():
    for html in (
        "<script>alert(1)</script>",
        '<div style="color:red">',
        "<style>p{}</style>",
        '<button onclick="x()">',
        '<a href="javascript:x()">',
        '<div hx-on:click="x()">',
    ):
        with pytest.raises(AssertionError):
            assert_no_inline_code(html, html)
    assert_no_inline_code('<script src="/static/js/theme.js"></script><p>one=1</p>', "ok")


def test_htmx_comes_from_django_htmx_not_a_cdn(alice_client, servers):
    html = alice_client.get(reverse("servers:list")).text
    assert 'src="/static/django_htmx/htmx-2.min.js"' in html
    assert "https://" not in " ".join(re.findall(r'src="[^"]*"', html))


def test_the_body_carries_the_csrf_token_for_htmx(alice_client, servers):
    response = alice_client.get(reverse("servers:list"))
    match = re.search(r'<body hx-headers="([^"]*)"', response.text)
    headers = json.loads(unescape(match.group(1)))
    assert headers["X-CSRFToken"]


def test_the_theme_toggle_is_a_static_script(alice_client, servers):
    html = alice_client.get(reverse("servers:list")).text
    assert 'src="/static/js/theme.js"' in html
    assert "data-theme-toggle" in html


def test_the_login_page_uses_the_same_layout(client, db):
    html = client.get(reverse("accounts:login")).text
    assert "panel.css" in html and "theme.js" in html


def test_branding_is_css_variables(client, settings, db):
    settings.PANEL_BRAND_PRIMARY_COLOR = "#aa3300"
    response = client.get(reverse("site:branding_css"))
    assert response["Content-Type"] == "text/css"
    assert "--brand-primary: #aa3300;" in response.text
    settings.PANEL_BRAND_PRIMARY_COLOR = "red;} body{display:none"
    assert "display:none" not in client.get(reverse("site:branding_css")).text


def test_the_panel_name_and_logo_are_configurable(client, settings, db):
    settings.PANEL_BRAND_NAME = "Acme Cloud"
    settings.PANEL_BRAND_LOGO_URL = "/static/img/acme.svg"
    html = client.get(reverse("accounts:login")).text
    assert "Acme Cloud" in html
    assert 'src="/static/img/acme.svg"' in html


def test_a_404_is_plain_words(alice_client, db):
    response = alice_client.get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.text


def test_a_403_is_plain_words(bob_client):
    response = bob_client.get(reverse("connections:list"))
    assert response.status_code == 403
    assert "You are not allowed to do that" in response.text


def test_a_500_is_plain_words_and_needs_nothing(rf):
    from panel.site.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


def test_an_expired_session_on_an_htmx_request_redirects_the_whole_page(client, db):
    response = client.get(reverse("servers:list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))
