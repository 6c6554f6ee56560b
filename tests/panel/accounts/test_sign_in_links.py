"""One-time sign-in links: valid 60 seconds, usable once, on the person's brand host;
opening one logs that person in on the server's page (two-factor users still give their
code), audited with the token that made it; every other case is a plain page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from panel.accounts import sudo
from panel.accounts.models import SignInLink, User
from panel.accounts.sign_in_links import NotForThisUser, issue, prune
from panel.audit.models import AuditEntry
from panel.branding.models import Brand, BrandHost
from panel.customers.models import Customer

from ..conftest import PASSWORD

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)


@pytest.fixture
def fjord(servers):
    brand = Brand.objects.create(name="Fjord Cloud", primary_color="#0f766e")
    BrandHost.objects.create(brand=brand, host="panel.fjord.example")
    customer = Customer.objects.create(name="Fjord Bakery", brand=brand)
    servers[0].customer = customer
    servers[0].save(update_fields=["customer"])
    return customer


@pytest.fixture
def ola(fjord, alice, servers):
    from panel.grants import services as grants
    from panel.grants.permissions import PRESETS

    user = User.objects.create_user("ola", "ola@example.org", PASSWORD, customer=fjord)
    grants.grant(alice, user, PRESETS["operator"], server=servers[0])
    return user


def _open(client, url):
    """Open a link as a browser from an e-mail or a billing system would."""
    parts = urlsplit(url)
    return client.get(parts.path, {"token": parse_qs(parts.query)["token"][0]})


@time_machine.travel(NOW, tick=False)
def test_a_link_logs_its_person_in_on_the_servers_page_once(client, ola, servers, settings):
    settings.PANEL_BASE_URL = "https://panel.example.net:8443"
    url, expires_at = issue(ola, server=servers[0], made_by="API token 'billing'")
    assert url.startswith("https://panel.fjord.example:8443/accounts/sign-in/?token=")
    assert expires_at == NOW + timedelta(seconds=60)
    token = parse_qs(urlsplit(url).query)["token"][0]
    assert len(token) >= 32 and not SignInLink.objects.filter(digest__contains=token).exists()

    response = _open(client, url)
    assert response.status_code == 302
    assert response["Location"] == reverse("servers:detail", args=[servers[0].pk])
    assert int(client.session[SESSION_KEY]) == ola.pk
    assert not sudo.is_active(client.session)  # a link is not a password typed just now
    entry = AuditEntry.objects.get(action="auth.sign_in_link")
    assert entry.actor == ola
    assert entry.details == {"made by": "API token 'billing'", "lands on": servers[0].display_name}

    client.logout()
    again = _open(client, url)
    assert again.status_code == 200 and "does not work any more" in again.text
    assert SESSION_KEY not in client.session


def test_a_link_expires_after_a_minute(client, ola):
    with time_machine.travel(NOW, tick=False):
        url, _ = issue(ola, made_by="t")
    with time_machine.travel(NOW + timedelta(seconds=61), tick=False):
        page = _open(client, url)
    assert "does not work any more" in page.text and SESSION_KEY not in client.session


@time_machine.travel(NOW, tick=False)
def test_without_a_server_or_one_they_cannot_see_it_lands_on_the_home_page(client, ola, servers):
    url, _ = issue(ola, server=servers[5], made_by="t")  # not Fjord's
    assert _open(client, url)["Location"] == reverse("site:home")


@time_machine.travel(NOW, tick=False)
def test_two_factor_users_still_give_their_code(client, ola, servers):
    TOTPDevice.objects.create(user=ola, name="phone", confirmed=True)
    url, _ = issue(ola, server=servers[0], made_by="t")
    response = _open(client, url)
    assert response["Location"] == reverse("accounts:login_code")
    assert SESSION_KEY not in client.session


@time_machine.travel(NOW, tick=False)
def test_a_disabled_user_or_a_suspended_customer_gets_a_plain_page(client, ola, fjord):
    url, _ = issue(ola, made_by="t")
    ola.is_active = False
    ola.save()
    assert "This account is disabled" in _open(client, url).text
    ola.is_active = True
    ola.save()
    url, _ = issue(ola, made_by="t")
    fjord.status = Customer.Status.SUSPENDED
    fjord.save()
    page = _open(client, url)
    assert "Your account is suspended" in page.text and SESSION_KEY not in client.session


def test_no_link_for_panel_admins_or_disabled_users(alice, charlie):
    with pytest.raises(NotForThisUser):
        issue(alice, made_by="t")
    charlie.is_active = False
    with pytest.raises(NotForThisUser):
        issue(charlie, made_by="t")


@time_machine.travel(NOW, tick=False)
def test_it_logs_out_whoever_was_logged_in_before(client, ola, bob):
    client.force_login(bob)
    url, _ = issue(ola, made_by="t")
    _open(client, url)
    assert int(client.session[SESSION_KEY]) == ola.pk


def test_a_made_up_or_missing_token_is_the_same_plain_page(client, db):
    for query in ({"token": "x" * 43}, {}, {"token": "y" * 500}):
        page = client.get(reverse("accounts:sign_in_link"), query)
        assert page.status_code == 200 and "does not work any more" in page.text


def test_used_links_are_forgotten_a_day_after_they_end(ola):
    with time_machine.travel(NOW, tick=False):
        issue(ola, made_by="t")
    with time_machine.travel(NOW + timedelta(hours=23), tick=False):
        assert prune() == 0
    with time_machine.travel(NOW + timedelta(days=1, minutes=2), tick=False):
        assert prune() == 1
