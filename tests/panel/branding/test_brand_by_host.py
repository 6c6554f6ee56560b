"""A request gets the brand bound to its Host; any other host gets the environment's
default brand. Pages, the stylesheet, the logo and the error pages all follow it."""

from __future__ import annotations

from django.db import DatabaseError
from django.urls import reverse

from panel.branding import services
from panel.site.views import server_error

from .conftest import PNG


def test_a_host_bound_to_a_brand_shows_its_name_logo_and_contacts(client, acme):
    html = client.get(reverse("accounts:login"), HTTP_HOST="panel.acme.test").text
    assert "<title>Log in · Acme Cloud</title>" in html
    assert 'src="/branding/logo?v=' in html
    assert "help@acme.test" in html and "Acme Cloud AS, Bergen" in html
    assert 'href="/branding.css?v=' in html


def test_any_other_host_shows_the_default_brand_from_the_environment(client, acme, settings):
    settings.PANEL_BRAND_NAME = "Default Panel"
    settings.PANEL_BRAND_SUPPORT_EMAIL = "ops@default.test"
    html = client.get(reverse("accounts:login"), HTTP_HOST="other.example.org").text
    assert "Default Panel" in html and "Acme Cloud" not in html
    assert "ops@default.test" in html
    assert "/branding/logo" not in html


def test_the_host_is_matched_without_its_port_and_case(client, acme):
    html = client.get(reverse("accounts:login"), HTTP_HOST="Panel.ACME.test:8443").text
    assert "Acme Cloud" in html


def test_the_stylesheet_follows_the_host_and_varies_on_it(client, acme, settings):
    settings.PANEL_BRAND_PRIMARY_COLOR = "#aa3300"
    acme_css = client.get(reverse("site:branding_css"), HTTP_HOST="panel.acme.test")
    other_css = client.get(reverse("site:branding_css"), HTTP_HOST="other.example.org")
    assert "--brand-primary: #0f766e;" in acme_css.text
    assert "--brand-primary: #aa3300;" in other_css.text
    assert "Host" in acme_css["Vary"]
    assert "public" in acme_css["Cache-Control"]


def test_a_light_colour_gets_dark_text_on_buttons(client, acme):
    acme.primary_color = "#fde047"
    acme.save()
    services.changed()
    css = client.get(reverse("site:branding_css"), HTTP_HOST="panel.acme.test").text
    assert "--brand-on-primary: #111827;" in css


def test_a_change_shows_on_the_next_request(client, acme):
    client.get(reverse("accounts:login"), HTTP_HOST="panel.acme.test")  # cached now
    acme.name = "Acme Hosting"
    acme.save()
    services.changed()
    html = client.get(reverse("accounts:login"), HTTP_HOST="panel.acme.test").text
    assert "Acme Hosting" in html


def test_without_the_cache_the_database_answers(client, acme, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get_or_set", down)
    html = client.get(reverse("accounts:login"), HTTP_HOST="panel.acme.test").text
    assert "Acme Cloud" in html


def test_the_logo_is_served_by_the_panel_for_the_host_s_brand(client, acme):
    brand = services.brand_for_host("panel.acme.test")
    response = client.get(
        reverse("branding:logo") + f"?v={brand.version}", HTTP_HOST="panel.acme.test"
    )
    assert response.status_code == 200
    assert response.content == PNG and response["Content-Type"] == "image/png"
    assert "immutable" in response["Cache-Control"] and "Host" in response["Vary"]
    assert "sandbox" in response["Content-Security-Policy"]


def test_without_an_upload_the_favicon_is_the_panel_s_own(client, acme):
    response = client.get(reverse("branding:favicon"), HTTP_HOST="panel.acme.test")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    html = client.get(reverse("accounts:login"), HTTP_HOST="panel.acme.test").text
    assert 'rel="icon" href="/static/img/favicon.svg"' in html


def test_error_pages_carry_the_brand(client, acme, bob, rf):
    client.force_login(bob)
    assert "Acme Cloud" in client.get("/no/such/page/", HTTP_HOST="panel.acme.test").text
    denied = client.get(reverse("connections:list"), HTTP_HOST="panel.acme.test")
    assert denied.status_code == 403
    assert "help@acme.test" in denied.text
    html = server_error(rf.get("/", HTTP_HOST="panel.acme.test")).content.decode()
    assert "Acme Cloud" in html and "help@acme.test" in html


def test_the_500_page_falls_back_to_the_default_brand_when_the_database_is_down(
    rf, acme, settings, monkeypatch
):
    settings.PANEL_BRAND_NAME = "Default Panel"
    services.changed()

    def down(host):
        raise DatabaseError("the database is down")

    monkeypatch.setattr(services, "_lookup", down)
    response = server_error(rf.get("/", HTTP_HOST="panel.acme.test"))
    assert response.status_code == 500
    assert "Default Panel" in response.content.decode()

    def broken(host):
        raise RuntimeError("anything at all")

    monkeypatch.setattr("panel.site.views.brand_for_host", broken)
    html = server_error(rf.get("/", HTTP_HOST="panel.acme.test")).content.decode()
    assert "Something went wrong on our side" in html and "Default Panel" in html


def test_hosts_are_normalised():
    assert services.normalize_host("Panel.Example.com:8443") == "panel.example.com"
    assert services.normalize_host("panel.example.com.") == "panel.example.com"
    assert services.normalize_host("[::1]:8000") == "[::1]"


def test_behind_a_proxy_the_stylesheet_varies_on_the_forwarded_host(client, acme, settings):
    settings.USE_X_FORWARDED_HOST = True
    response = client.get(
        reverse("site:branding_css"),
        HTTP_HOST="127.0.0.1",
        HTTP_X_FORWARDED_HOST="panel.acme.test",
    )
    assert "--brand-primary: #0f766e;" in response.text
    assert "X-Forwarded-Host" in response["Vary"]


def test_an_outage_is_logged_once_a_minute_not_on_every_request(client, acme, monkeypatch, caplog):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get_or_set", down)
    monkeypatch.setattr(services, "_last_warning", float("-inf"))
    for _ in range(3):
        client.get(reverse("accounts:login"), HTTP_HOST="panel.acme.test")
    warnings = [r for r in caplog.records if "branding: the cache" in r.getMessage()]
    assert len(warnings) == 1
