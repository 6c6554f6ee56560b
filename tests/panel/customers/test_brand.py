"""A customer's brand follows its people: on every host, and in the e-mails to them."""

from __future__ import annotations

from django.urls import reverse

from panel.branding.models import Brand
from panel.branding.services import brand_for_user

from ..conftest import log_in


def _nordlys_cloud(nordlys):
    brand = Brand.objects.create(name="Nordlys Cloud", primary_color="#0f766e")
    nordlys.brand = brand
    nordlys.save(update_fields=["brand"])
    return brand


def test_a_customers_people_see_its_brand_on_every_host(client, nina, dag, nordlys, servers):
    _nordlys_cloud(nordlys)
    log_in(client, nina)
    page = client.get(reverse("servers:list"), HTTP_HOST="127.0.0.1")
    assert "Nordlys Cloud" in page.text
    client.logout()
    assert "Nordlys Cloud" not in client.get(reverse("accounts:login")).text
    log_in(client, dag)  # another customer, without a brand: the host's
    assert "Nordlys Cloud" not in client.get(reverse("servers:list")).text


def test_e_mails_to_them_carry_it(nina, ola, nordlys):
    _nordlys_cloud(nordlys)
    assert brand_for_user(nina).name == "Nordlys Cloud"
    assert brand_for_user(ola).is_default


def test_e_mailed_links_lead_to_the_brands_host_never_to_the_requests(
    client, alice, nina, nordlys, settings
):
    from django.core import mail

    from panel.branding.models import BrandHost
    from panel.teams import services as team_services

    settings.PANEL_BASE_URL = "https://panel.example.net"
    brand = _nordlys_cloud(nordlys)
    team = team_services.create_team(alice, "Nordlys ops", customer=nordlys)
    log_in(client, alice)
    invite = reverse("teams:invite", args=[team.pk])
    client.post(invite, {"email": "a@example.org", "role": "member"}, HTTP_HOST="127.0.0.1:6666")
    BrandHost.objects.create(brand=brand, host="cloud.nordlys.example")
    from panel.branding.services import changed

    changed()
    client.post(invite, {"email": "b@example.org", "role": "member"}, HTTP_HOST="127.0.0.1:6666")
    first, second = (message.body for message in mail.outbox)
    assert "https://panel.example.net/teams/join/" in first and "6666" not in first
    assert "https://cloud.nordlys.example/teams/join/" in second
    assert "Nordlys Cloud" in first and "Nordlys Cloud" in second


def test_a_brands_link_keeps_the_base_urls_scheme_and_port(nordlys, settings):
    from panel.branding.models import BrandHost
    from panel.branding.services import brand_for_customer, changed

    settings.PANEL_BASE_URL = "http://127.0.0.1:8100"
    BrandHost.objects.create(brand=_nordlys_cloud(nordlys), host="localhost")
    changed()
    assert brand_for_customer(nordlys).link("/x/") == "http://localhost:8100/x/"
