"""Password reset through a one-time link: e-mailed to the user in their brand, or shown
once to the admin when the user has no e-mail address; it works once, and not after
PASSWORD_RESET_TIMEOUT."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from panel.accounts.models import User
from panel.audit.models import AuditEntry
from panel.branding.models import Brand
from panel.users import services

from ..conftest import PASSWORD

NEW_PASSWORD = "a-new-and-long-secret-42"
LINK = re.compile(r"http://127\.0\.0\.1:8000(/users/reset/[^/\s]+/[^/\s]+/)")  # PANEL_BASE_URL


def send(admin_client, user):
    return admin_client.post(reverse("users:password_reset_link", args=[user.pk]))


def link_in(text: str) -> str:
    return LINK.search(text).group(1)


def set_password(browser, link: str, password: str = NEW_PASSWORD):
    """Open the link as the user would, logged out, and set `password`."""
    opened = browser.get(link)
    assert opened.status_code == 302  # the token leaves the address at once
    form = opened["Location"]
    assert browser.get(form).status_code == 200
    return browser.post(form, {"new_password1": password, "new_password2": password})


def test_the_link_is_e_mailed_and_works_once(alice_client, bob):
    response = send(alice_client, bob)
    assert response.status_code == 302
    assert "A password reset link was sent to bob@example.org" in (
        alice_client.get(response["Location"]).text
    )
    (message,) = mail.outbox
    assert message.to == ["bob@example.org"]
    link = link_in(message.body)
    done = set_password(Client(), link)
    assert done.status_code == 302 and done["Location"] == reverse("accounts:login")
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD)
    again = Client().get(link)
    assert again.status_code == 200 and "This link no longer works" in again.text
    entry = AuditEntry.objects.filter(action="user.password_reset_link").get()
    assert entry.actor_name == "alice"
    assert entry.details == {"user": "bob", "sent to": "bob@example.org"}
    assert link.split("/")[-2] not in str(entry.details)  # never the token
    assert AuditEntry.objects.filter(action="auth.password_reset", actor=bob).exists()


def test_the_new_password_logs_in_and_ends_the_old_sessions(alice_client, bob):
    old = Client()
    old.force_login(bob)
    send(alice_client, bob)
    set_password(Client(), link_in(mail.outbox[0].body))
    assert not Session.objects.filter(session_key=old.session.session_key).exists()
    assert old.get(reverse("servers:list")).status_code == 302
    assert Client().login(username="bob", password=NEW_PASSWORD)


def test_an_expired_link_answers_plainly(alice_client, bob, monkeypatch, settings):
    send(alice_client, bob)
    link = link_in(mail.outbox[0].body)
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    response = Client().get(link)
    assert response.status_code == 200
    assert "This link no longer works" in response.text
    assert "Ask your administrator for a new link." in response.text


def test_a_link_is_good_for_three_days_by_default(settings):
    assert settings.PASSWORD_RESET_TIMEOUT == 3 * 24 * 3600
    assert services.reset_link_lifetime() == "3\xa0days"


def test_a_user_without_e_mail_gets_the_link_through_the_admin(alice_client, bob):
    User.objects.filter(pk=bob.pk).update(email="")
    page = alice_client.get(reverse("users:detail", args=[bob.pk])).text
    assert "Create password reset link" in page
    response = send(alice_client, bob)
    assert response.status_code == 200 and not mail.outbox
    assert response["Cache-Control"] == "private, no-store"
    assert "It is shown only now" in response.text
    set_password(Client(), link_in(response.text))
    bob.refresh_from_db()
    assert bob.check_password(NEW_PASSWORD)
    entry = AuditEntry.objects.get(action="user.password_reset_link")
    assert entry.details == {"user": "bob", "shown": True}


def test_the_e_mail_carries_the_user_s_brand(alice_client, bob, settings):
    settings.ALLOWED_HOSTS = ["*"]
    brand = Brand.objects.create(name="Acme Cloud", support_email="help@acme.test")
    brand.hosts.create(host="panel.acme.test")
    Client().post(
        reverse("accounts:login"),
        {"username": "bob", "password": PASSWORD},
        HTTP_HOST="panel.acme.test",
    )
    send(alice_client, bob)
    (message,) = mail.outbox
    assert message.from_email == "Acme Cloud <panel@localhost>"
    assert "Acme Cloud" in message.subject and "help@acme.test" in message.body
    assert "terrahost" not in (message.subject + message.body).lower()


def test_a_mail_server_that_fails_is_said_plainly(alice_client, bob, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(services, "mail_user", refuse)
    response = send(alice_client, bob)
    page = alice_client.get(response["Location"]).text
    assert "The e-mail to bob@example.org could not be sent." in page
    entry = AuditEntry.objects.get(action="user.password_reset_link")
    assert entry.result == AuditEntry.Result.FAILED


@pytest.mark.parametrize("who", ["bob_client", "charlie_client"])
def test_only_admins_make_links(request, who, alice):
    browser = request.getfixturevalue(who)
    response = browser.post(reverse("users:password_reset_link", args=[alice.pk]))
    assert response.status_code == 403 and not mail.outbox
