"""The admins' branding pages: add, edit, remove a brand; the colour, host names and
images are checked before anything is stored; every change is audited."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from panel.audit.models import AuditEntry
from panel.branding.images import MAX_LOGO_BYTES
from panel.branding.models import Brand

from .conftest import PNG

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10"/></svg>'
)


def _data(**overrides):
    data = {
        "name": "Nordlys",
        "hosts": "panel.nordlys.test\nNORDLYS.test:8443",
        "primary_color": "#0f766e",
        "support_email": "help@nordlys.test",
        "support_url": "https://nordlys.test/help",
        "footer_text": "Nordlys AS",
    }
    return data | overrides


def test_an_admin_adds_a_brand_with_a_logo(alice_client, client):
    logo = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = alice_client.post(reverse("branding:create"), _data(logo_file=logo))
    assert response.status_code == 302
    brand = Brand.objects.get(name="Nordlys")
    assert sorted(brand.hosts.values_list("host", flat=True)) == [
        "nordlys.test",
        "panel.nordlys.test",
    ]
    assert bytes(brand.logo) == PNG and brand.logo_type == "image/png"
    assert not brand.show_provider  # white label unless asked
    assert AuditEntry.objects.filter(action="branding.create").exists()
    assert "Added a brand" in alice_client.get(reverse("audit:list")).text
    listing = alice_client.get(reverse("branding:list")).text
    assert "Nordlys" in listing and "panel.nordlys.test" in listing
    # At once, on its host:
    client.logout()
    html = client.get(reverse("accounts:login"), HTTP_HOST="panel.nordlys.test").text
    assert "Nordlys" in html and "/branding/logo?v=" in html


def test_the_colour_must_be_a_hex_colour(alice_client):
    for bad in ("red", "#12345", "#ggg", "0f766e"):
        response = alice_client.post(reverse("branding:create"), _data(primary_color=bad))
        assert response.status_code == 422, bad
        assert "Enter a colour as #" in response.text
    alice_client.post(reverse("branding:create"), _data(primary_color="#ABC"))
    assert Brand.objects.get().primary_color == "#aabbcc"


def test_a_host_name_shows_one_brand_only(alice_client, acme):
    response = alice_client.post(reverse("branding:create"), _data(hosts="panel.acme.test"))
    assert response.status_code == 422
    assert "panel.acme.test already shows the brand “Acme Cloud”" in response.text
    response = alice_client.post(reverse("branding:create"), _data(hosts="not a host!"))
    assert response.status_code == 422 and "is not a host name" in response.text


def test_images_are_checked_by_their_bytes(alice_client):
    cases = {
        "not an image": SimpleUploadedFile("x.png", b"hello", content_type="image/png"),
        "too big": SimpleUploadedFile("x.png", PNG + b"0" * MAX_LOGO_BYTES),
        "script": SimpleUploadedFile(
            "x.svg", SVG.replace(b"<rect", b"<script>alert(1)</script><rect")
        ),
        "handler": SimpleUploadedFile("x.svg", SVG.replace(b"<rect", b'<rect onload="x()"')),
        "entity": SimpleUploadedFile(
            "x.svg", b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "b">]>' + SVG
        ),
        "link": SimpleUploadedFile(
            "x.svg", SVG.replace(b"<rect", b'<image href="https://evil.test/x.png"/><rect')
        ),
    }
    for what, upload in cases.items():
        response = alice_client.post(reverse("branding:create"), _data(logo_file=upload))
        assert response.status_code == 422, what
    assert not Brand.objects.exists()
    svg = SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")
    assert alice_client.post(reverse("branding:create"), _data(logo_file=svg)).status_code == 302
    assert Brand.objects.get().logo_type == "image/svg+xml"


def test_an_admin_edits_a_brand_and_removes_its_logo(alice_client, acme):
    url = reverse("branding:edit", args=[acme.pk])
    page = alice_client.get(url).text
    assert "panel.acme.test" in page and 'src="data:image/png;base64,' in page
    response = alice_client.post(url, _data(name="Acme", hosts="acme.test", remove_logo="on"))
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.name == "Acme" and acme.logo_type == ""
    assert list(acme.hosts.values_list("host", flat=True)) == ["acme.test"]
    assert AuditEntry.objects.filter(action="branding.update").exists()


def test_removing_a_brand_asks_first(alice_client, acme, client):
    url = reverse("branding:delete", args=[acme.pk])
    assert "Remove the brand “Acme Cloud”?" in alice_client.get(url).text
    assert Brand.objects.filter(pk=acme.pk).exists()
    assert alice_client.post(url).status_code == 302
    assert not Brand.objects.filter(pk=acme.pk).exists()
    assert AuditEntry.objects.filter(action="branding.delete").exists()
    client.logout()
    html = client.get(reverse("accounts:login"), HTTP_HOST="panel.acme.test").text
    assert "Acme Cloud" not in html


def test_admins_find_branding_in_the_navigation(client, alice, bob):
    client.force_login(alice)
    assert 'href="/branding/"' in client.get(reverse("servers:list")).text
    client.force_login(bob)
    assert 'href="/branding/"' not in client.get(reverse("servers:list")).text


def test_a_host_the_panel_does_not_answer_to_is_pointed_out(alice_client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "panel.nordlys.test"]
    response = alice_client.post(reverse("branding:create"), _data(), follow=True)
    assert "The panel does not answer to nordlys.test yet" in response.text
    assert "PANEL_ALLOWED_HOSTS" in response.text
