"""The base layout: CSP without unsafe-inline, no inline script/style, htmx bundled,
CSRF for htmx on <body>, the theme toggle, branding hooks."""

from __future__ import annotations

import json
import re
from html import unescape

from django.urls import reverse


def test_the_csp_has_no_unsafe_inline(alice_client, servers):
    response = alice_client.get(reverse("servers:list"))
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp


def test_pages_have_no_inline_scripts_or_styles(alice_client, bob_client, servers):
    pages = [
        reverse("servers:list"),
        reverse("servers:detail", args=[servers[0].pk]),
        reverse("connections:list"),
        reverse("connections:add"),
        reverse("accounts:user_list"),
    ]
    for url in pages:
        html = alice_client.get(url).text
        assert "style=" not in html, url
        assert "<style" not in html, url
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=", html), url  # no onclick= etc.
        assert "hx-on" not in html, url


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
    response = client.get(reverse("core:branding_css"))
    assert response["Content-Type"] == "text/css"
    assert "--brand-primary: #aa3300;" in response.text
    settings.PANEL_BRAND_PRIMARY_COLOR = "red;} body{display:none"
    assert "display:none" not in client.get(reverse("core:branding_css")).text


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
    from panel.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.content


def test_an_expired_session_on_an_htmx_request_redirects_the_whole_page(client, db):
    response = client.get(reverse("servers:list"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("accounts:login"))
