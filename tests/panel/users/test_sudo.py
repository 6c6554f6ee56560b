"""An admin's security-changing actions on other users ask for sudo mode (panel.accounts.
sudo): turning off their two-factor login, making them an admin (also by creating one)
and sending them a password reset link. Other edits do not ask.

`admin` comes from a bare force_login(), which is not in sudo mode (a real login is)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from panel.accounts.models import User

from ..conftest import PASSWORD


@pytest.fixture
def admin(alice):
    browser = Client()
    browser.force_login(alice)
    return browser


def asks(response, back: str) -> bool:
    """`response` sends the admin to confirm it is them, and from there back to `back`."""
    return response.status_code == 302 and response["Location"] == (
        f"{reverse('accounts:sudo')}?{urlencode({'next': back})}"
    )


def confirm(admin) -> None:
    admin.post(reverse("accounts:sudo"), {"code": PASSWORD})


def test_it_asks_before_turning_off_someones_two_factor_login(admin, bob):
    TOTPDevice.objects.create(user=bob, name="phone", confirmed=True)
    url = reverse("users:two_factor_off", args=[bob.pk])
    page = reverse("users:detail", args=[bob.pk])
    assert asks(admin.get(url), url)
    assert asks(admin.post(url, HTTP_REFERER=f"http://testserver{page}"), page)
    assert user_has_device(bob)
    confirm(admin)
    assert admin.post(url).status_code == 302
    assert not user_has_device(bob)


def test_it_asks_before_sending_a_password_reset_link(admin, bob):
    url = reverse("users:password_reset_link", args=[bob.pk])
    page = reverse("users:detail", args=[bob.pk])
    assert asks(admin.post(url, HTTP_REFERER=f"http://testserver{page}"), page)
    assert not mail.outbox
    confirm(admin)
    admin.post(url)
    assert len(mail.outbox) == 1


def test_it_asks_before_making_someone_an_admin(admin, bob):
    page = reverse("users:detail", args=[bob.pk])
    data = {"username": "bob", "email": "bob@example.org"}
    made_admin = admin.post(page, {**data, "is_panel_admin": "on"}, HTTP_REFERER=page)
    assert asks(made_admin, page)
    bob.refresh_from_db()
    assert not bob.is_panel_admin
    # Other changes do not ask.
    assert admin.post(page, {**data, "first_name": "Bob"})["Location"] == page
    bob.refresh_from_db()
    assert bob.first_name == "Bob"
    confirm(admin)
    admin.post(page, {**data, "is_panel_admin": "on"})
    bob.refresh_from_db()
    assert bob.is_panel_admin


def test_it_asks_before_creating_an_admin(admin, db):
    url = reverse("users:user_create")
    data = {"username": "erin", "password": "a-long-enough-secret-7"}
    assert asks(admin.post(url, {**data, "is_panel_admin": "on"}, HTTP_REFERER=url), url)
    assert not User.objects.filter(username="erin").exists()
    assert admin.post(url, data).status_code == 302  # a user who is no admin: no question
    assert not User.objects.get(username="erin").is_panel_admin
