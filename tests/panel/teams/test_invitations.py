"""Invitations by e-mail: admins and a team's managers invite someone without a login; the
link in the e-mail works once and until it expires, lets them choose a username and a
password, logs them in and puts them in the team through the same rules as adding a
member. Only a hash of the link's token is kept anywhere."""

from __future__ import annotations

import logging
import re
import socket
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panel.accounts.models import User
from panel.audit.models import AuditEntry
from panel.branding import services as branding
from panel.branding.models import Brand, BrandHost
from panel.grants import services as grants
from panel.grants.access import is_panel_admin, keys_for
from panel.grants.permissions import PRESETS
from panel.teams import invitations, services
from panel.teams.models import Invitation, Membership

NEW_PASSWORD = "a long and unusual passphrase"
LINK = re.compile(r"https?://\S+/teams/join/\?token=\S+")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "invitations"}


@pytest.fixture
def team(alice):
    return services.create_team(alice, "Night shift")


@pytest.fixture
def managed(alice, bob, team):
    """bob manages the team (he holds Operator on servers 0 and 1)."""
    services.add_member(alice, team, bob, Membership.Role.MANAGER)
    return team


def invite_url(team):
    return reverse("teams:invite", args=[team.pk])


def invite(client, team, email="dana@example.org", role="member", **extra):
    return client.post(invite_url(team), {"email": email, "role": role}, **extra)


def link_in(message) -> str:
    return LINK.search(message.body).group(0)


def token_of(link: str) -> str:
    return link.split("token=", 1)[1]


def open_link(client, link):
    """What the invitee's browser does with the link: it lands on the join page."""
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("teams:join")
    return client.get(response["Location"])


def join(client, username="dana", password=NEW_PASSWORD):
    data = {"username": username, "password1": password, "password2": password}
    return client.post(reverse("teams:join"), data)


# --- Inviting -------------------------------------------------------------------------------


def test_an_admin_invites_someone_by_e_mail(alice_client, team):
    response = invite(alice_client, team, email="Dana@Example.ORG", role="manager")
    assert response.status_code == 302 and response["Location"] == reverse(
        "teams:detail", args=[team.pk]
    )
    invitation = Invitation.objects.get()
    assert invitation.email == "Dana@example.org"  # the domain part is not case-sensitive
    assert (invitation.role, invitation.state, invitation.invited_by.username) == (
        "manager",
        "pending",
        "alice",
    )
    days = (invitation.expires_at - timezone.now()).total_seconds() / 86400
    assert 6.99 < days <= 7
    assert [m.to for m in mail.outbox] == [["Dana@example.org"]]
    entry = AuditEntry.objects.get(action="invitation.create")
    assert entry.actor.username == "alice"
    assert entry.details == {"team": "Night shift", "e-mail": "Dana@example.org", "role": "manager"}
    page = alice_client.get(reverse("teams:detail", args=[team.pk])).text
    assert "Dana@example.org is invited." in page
    assert "Dana@example.org" in page and "Team manager" in page
    assert f'data-dialog="confirm-revoke-invitation-{invitation.pk}"' in page


def test_the_link_works_as_long_as_the_setting_says(alice_client, team, settings):
    settings.PANEL_INVITATION_DAYS = 2
    invite(alice_client, team)
    days = (Invitation.objects.get().expires_at - timezone.now()).total_seconds() / 86400
    assert 1.99 < days <= 2
    assert "for 2 days" in alice_client.get(reverse("teams:detail", args=[team.pk])).text


def test_a_manager_invites_into_his_team(bob_client, managed):
    assert invite(bob_client, managed).status_code == 302
    assert Invitation.objects.get().invited_by.username == "bob"
    assert AuditEntry.objects.get(action="invitation.create").actor.username == "bob"


def test_an_address_already_invited_is_refused_until_revoked(alice_client, alice, team):
    invite(alice_client, team)
    response = invite(alice_client, team, email="DANA@example.org")
    assert "An invitation to this address is waiting already." in response.text
    invitations.revoke(alice, Invitation.objects.get())
    assert invite(alice_client, team).status_code == 302
    assert Invitation.objects.count() == 2


def test_with_htmx_the_invitations_section_is_swapped(alice_client, team):
    response = invite(alice_client, team, **HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card" id="invitations"')
    assert "dana@example.org is invited." in response.text
    refused = invite(alice_client, team, email="not an address", **HTMX)
    assert refused.status_code == 422 and "Enter a valid email address." in refused.text


def test_who_may_not_invite_gets_403(client, alice, bob, charlie, managed):
    other = services.create_team(alice, "Other")
    services.add_member(alice, other, charlie)  # a plain member
    client.force_login(bob)
    assert invite(client, other).status_code == 403
    client.force_login(charlie)
    assert invite(client, other).status_code == 403
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_a_manager_cannot_invite_beyond_what_he_holds(bob_client, alice, bob, managed, servers):
    grants.grant(bob, managed, PRESETS["viewer"], server=servers[0])
    # A role that does not exist, and fields that are no part of the form.
    response = invite(bob_client, managed, role="admin")
    assert "Select a valid choice." in response.text and not Invitation.objects.exists()
    data = {
        "email": "dana@example.org",
        "role": "member",
        "is_panel_admin": "on",
        "preset": "manager",
        "keys": ["reinstall", "billing.view"],
        "servers": [servers[5].pk],
    }
    assert bob_client.post(invite_url(managed), data).status_code == 302
    anonymous = Client()
    open_link(anonymous, link_in(mail.outbox[-1]))
    join(anonymous)
    dana = User.objects.get(username="dana")
    assert not is_panel_admin(dana)
    assert managed.memberships.get(user=dana).role == "member"
    # She holds what the team was given (by bob, out of what he holds), nothing more.
    assert keys_for(dana, servers[0]) == frozenset(PRESETS["viewer"])
    assert keys_for(dana, servers[1]) == frozenset()
    assert keys_for(dana, servers[5]) == frozenset()


def test_an_inviter_who_no_longer_manages_the_team_brings_nobody_in(
    bob_client, alice, bob, managed
):
    invite(bob_client, managed)
    link = link_in(mail.outbox[-1])
    services.set_role(alice, managed.memberships.get(user=bob), Membership.Role.MEMBER)
    anonymous = Client()
    page = open_link(anonymous, link)
    assert "This invitation no longer works" in page.text and "password1" not in page.text
    assert "This invitation no longer works" in join(anonymous).text
    assert not User.objects.filter(username="dana").exists()


def test_an_e_mail_that_cannot_be_sent_invites_nobody(alice_client, team, settings):
    with socket.socket() as sock:  # a port on which nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    response = invite(alice_client, team)
    assert response.status_code == 200
    assert "The e-mail could not be sent, so nobody was invited." in response.text
    assert not Invitation.objects.exists()
    assert not AuditEntry.objects.filter(action="invitation.create").exists()


# --- The e-mail -----------------------------------------------------------------------------


@pytest.fixture
def acme(db, settings):
    """A reseller's brand on its own host name; the team's name mentions the provider."""
    settings.ALLOWED_HOSTS = ["*"]
    brand = Brand.objects.create(
        name="Acme Cloud", support_email="help@acme.test", footer_text="Acme Cloud AS, Bergen"
    )
    BrandHost.objects.create(brand=brand, host="panel.acme.test")
    branding.changed()
    return brand


def test_the_e_mail_carries_the_brand_of_the_request_and_an_absolute_link(
    alice_client, alice, acme, settings
):
    # The link: the brand's host name, with PANEL_BASE_URL's scheme and port.
    settings.PANEL_BASE_URL = "http://panel.example.com"
    team = services.create_team(alice, "Terrahost migration")
    invite(alice_client, team, role="manager", HTTP_HOST="panel.acme.test")
    message = mail.outbox[-1]
    assert message.from_email == "Acme Cloud <panel@localhost>"
    assert "Acme Cloud" in message.subject
    link = link_in(message)
    assert link.startswith("http://panel.acme.test/teams/join/?token=")
    body = message.body
    assert "alice invited you to team" in body and "on Acme Cloud, as team manager." in body
    assert "The link works once, until" in body
    assert "help@acme.test" in body and "Acme Cloud AS, Bergen" in body
    # The invitee has no login yet, so nothing shows them the provider.
    assert "terrahost" not in (message.subject + body).lower()


def test_a_brand_that_shows_the_provider_keeps_its_name(alice_client, alice, acme):
    acme.show_provider = True
    acme.save()
    branding.changed()
    team = services.create_team(alice, "Terrahost migration")
    invite(alice_client, team, HTTP_HOST="panel.acme.test")
    assert "Terrahost migration" in mail.outbox[-1].body


# --- Accepting ------------------------------------------------------------------------------


def test_accepting_makes_the_login_joins_the_team_and_logs_in(alice_client, team, acme):
    invite(alice_client, team, role="manager", HTTP_HOST="panel.acme.test")
    invitee = Client(HTTP_HOST="panel.acme.test")
    page = open_link(invitee, link_in(mail.outbox[-1]))
    assert page.status_code == 200
    assert "Join team Night shift" in page.text and "Acme Cloud" in page.text
    assert "dana@example.org" in page.text
    response = join(invitee, username="Dana")
    assert response.status_code == 302 and response["Location"] == reverse("servers:list")
    dana = User.objects.get(username="Dana")
    assert dana.email == "dana@example.org" and dana.check_password(NEW_PASSWORD)
    assert team.memberships.get(user=dana).role == "manager"
    assert team.memberships.get(user=dana).added_by.username == "alice"
    welcome = invitee.get(reverse("servers:list"))
    assert welcome.status_code == 200 and "Welcome! You are in team Night shift." in welcome.text
    assert Invitation.objects.get().state == "accepted"
    entry = AuditEntry.objects.get(action="invitation.accept")
    assert entry.actor == dana
    assert entry.details == {
        "team": "Night shift",
        "e-mail": "dana@example.org",
        "role": "manager",
        "invited by": "alice",
    }
    assert AuditEntry.objects.filter(action="auth.login", actor=dana).exists()


def test_a_username_taken_in_any_case_is_refused_and_nothing_is_lost(alice_client, team, charlie):
    invite(alice_client, team)
    invitee = Client()
    open_link(invitee, link_in(mail.outbox[-1]))
    response = join(invitee, username="CHARLIE")
    assert response.status_code == 200
    assert "A user with that username already exists." in response.text
    # What was typed is still there: the username, and the passwords (they passed).
    assert 'value="CHARLIE"' in response.text
    assert response.text.count(f'value="{NEW_PASSWORD}"') == 2
    assert response["Cache-Control"].startswith("max-age=0, no-cache, no-store")
    assert User.objects.count() == 2 and Invitation.objects.get().state == "pending"
    assert join(invitee, username="dana").status_code == 302
    assert team.memberships.filter(user__username="dana").exists()


def test_the_password_rules_apply(alice_client, team):
    invite(alice_client, team)
    invitee = Client()
    open_link(invitee, link_in(mail.outbox[-1]))
    response = join(invitee, password="password")
    assert "This password is too common." in response.text
    assert 'value="password"' not in response.text  # refused passwords are not shown again
    assert not User.objects.filter(username="dana").exists()


def test_used_revoked_expired_and_unknown_links_answer_plainly(alice_client, alice, team):
    for email in ("used@example.org", "revoked@example.org", "expired@example.org"):
        invite(alice_client, team, email=email)
    used, revoked, expired = (link_in(message) for message in mail.outbox)
    first = Client()
    open_link(first, used)
    join(first)
    invitations.revoke(alice, Invitation.objects.get(email="revoked@example.org"))
    Invitation.objects.filter(email="expired@example.org").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    unknown = used.replace("token=", "token=x")
    for link, heading in [
        (used, "This invitation has been used"),
        (revoked, "This invitation was revoked"),
        (expired, "This invitation has expired"),
        (unknown, "This invitation link does not work"),
    ]:
        page = open_link(Client(), link)
        assert page.status_code == 200, link
        assert heading in page.text and "password1" not in page.text, link
    assert Invitation.objects.filter(accepted_at__isnull=False).count() == 1


def test_two_tabs_accepting_at_once_make_one_user(alice_client, team):
    invite(alice_client, team)
    link = link_in(mail.outbox[-1])
    first, second = Client(), Client()
    open_link(first, link)
    open_link(second, link)  # the form is open in both
    assert join(first, username="dana").status_code == 302
    response = join(second, username="dana2")
    assert "This invitation has been used" in response.text
    assert not User.objects.filter(username="dana2").exists()


def test_someone_logged_in_is_asked_to_log_out_first(alice_client, bob, team):
    invite(alice_client, team)
    link = link_in(mail.outbox[-1])
    bob_browser = Client()
    bob_browser.force_login(bob)
    page = open_link(bob_browser, link)
    assert "Log out first" in page.text and "You are logged in as bob." in page.text
    assert "password1" not in page.text
    assert "Log out first" in join(bob_browser).text
    assert not team.memberships.exists() and Invitation.objects.get().state == "pending"


def test_links_that_lead_nowhere_are_throttled_per_address(alice_client, alice, team):
    invite(alice_client, team)
    invite(alice_client, team, email="used@example.org")
    used = link_in(mail.outbox[-1])
    invitee = Client(REMOTE_ADDR="192.0.2.8")
    open_link(invitee, used)
    assert join(invitee).status_code == 302
    guesser = Client()
    for number in range(invitations.MISSES_ALLOWED):
        assert guesser.get(reverse("teams:join"), {"token": f"guess-{number}"}).status_code == 302
    for link in (f"{reverse('teams:join')}?token=guess-more", used):
        refused = guesser.get(link)
        assert refused.status_code == 429 and "Too many links that do not work" in refused.text
    other_address = Client(REMOTE_ADDR="192.0.2.7")
    unknown = used.replace("token=", "token=x")
    assert "This invitation link does not work" in open_link(other_address, unknown).text


def test_a_valid_link_goes_through_from_a_throttled_address(alice_client, team):
    """Colleagues behind one office address: someone's mistyped links do not block
    another's valid invitation. Only links that lead nowhere count."""
    invite(alice_client, team)
    real = link_in(mail.outbox[-1])
    guesser = Client()
    for number in range(invitations.MISSES_ALLOWED):
        guesser.get(reverse("teams:join"), {"token": f"guess-{number}"})
    for _ in range(3):  # opening it again and again counts nothing
        assert "Join team Night shift" in open_link(guesser, real).text
    assert guesser.get(reverse("teams:join"), {"token": "guess-again"}).status_code == 429


# --- Revoking -------------------------------------------------------------------------------


def test_an_invitation_is_revoked_after_a_question(alice_client, team):
    invite(alice_client, team)
    link = link_in(mail.outbox[-1])
    invitation = Invitation.objects.get()
    url = reverse("teams:invitation_revoke", args=[team.pk, invitation.pk])
    assert "Revoke the invitation to dana@example.org" in alice_client.get(url).text
    response = alice_client.post(url, **HTMX)
    assert response.status_code == 200
    assert "The invitation to dana@example.org was revoked" in response.text
    assert "No invitations are waiting for an answer." in response.text
    entry = AuditEntry.objects.get(action="invitation.revoke")
    assert entry.details == {"team": "Night shift", "e-mail": "dana@example.org"}
    assert alice_client.post(url).status_code == 404  # revoked already
    assert "This invitation was revoked" in open_link(Client(), link).text


def test_a_manager_revokes_only_his_teams_invitations(bob_client, alice, managed):
    other = services.create_team(alice, "Other")
    admin = Client()
    admin.force_login(alice)
    invite(admin, other)
    foreign = Invitation.objects.get()
    url = reverse("teams:invitation_revoke", args=[other.pk, foreign.pk])
    assert bob_client.post(url).status_code == 403
    # Through his own team's address, another team's invitation is not found.
    mine = reverse("teams:invitation_revoke", args=[managed.pk, foreign.pk])
    assert bob_client.post(mine).status_code == 404
    assert Invitation.objects.get().state == "pending"


# --- The token ------------------------------------------------------------------------------


def test_the_token_is_in_the_e_mail_only(alice_client, team, caplog):
    caplog.set_level(logging.DEBUG)
    invite(alice_client, team)
    link = link_in(mail.outbox[-1])
    token = token_of(link)
    invitee = Client()
    open_link(invitee, link)
    join(invitee, password="password")  # refused, and shown again
    join(invitee)
    assert Invitation.objects.get().token_hash == invitations.token_hash(token)
    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    sessions = [str(session.get_decoded()) for session in Session.objects.all()]
    audit = [str(entry.details) + entry.message for entry in AuditEntry.objects.all()]
    for text in [dump.getvalue(), *sessions, *audit, caplog.text]:
        assert token not in text
