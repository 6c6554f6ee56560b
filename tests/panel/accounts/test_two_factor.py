"""Two-factor login: setting it up, the login's code step, recovery codes, turning it off,
and the admins' switch that requires it of everyone. Codes are real TOTP codes computed
with django-otp from the device's key."""

from __future__ import annotations

import logging
import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from panel.accounts import login_steps, throttle, two_factor
from panel.accounts.models import LoginAttempt, SecuritySettings
from panel.audit.models import AuditEntry
from tests.panel.conftest import PASSWORD

LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
PAGE = reverse("accounts:two_factor")


def code_for(device, *, steps_ahead=0) -> str:
    """The device's code now (or `steps_ahead` 30-second steps later: a code is accepted
    once, and one step ahead is within django-otp's tolerance)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device) -> str:
    return f"{(int(code_for(device)) + 500_000) % 1_000_000:06d}"


@pytest.fixture
def device(alice):
    """alice has two-factor login (and recovery codes)."""
    totp = TOTPDevice.objects.create(user=alice, name="Authenticator app", confirmed=True)
    two_factor.new_recovery_codes(alice)
    return totp


def recovery_codes(user) -> list[str]:
    return list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def log_in_with_password(client, username="alice", **extra):
    return client.post(LOGIN, {"username": username, "password": PASSWORD, **extra})


# --- setting it up ----------------------------------------------------------------------------


def test_the_menu_links_to_it(alice_client):
    assert f'href="{PAGE}"' in alice_client.get(reverse("servers:list")).text


def test_it_is_off_at_first_and_set_up_with_a_post(alice_client, alice):
    page = alice_client.get(PAGE)
    assert "Set up two-factor login" in page.text
    assert not TOTPDevice.objects.exists()  # a GET changes nothing
    response = alice_client.post(reverse("accounts:two_factor_start"))
    assert response["Location"] == PAGE
    assert TOTPDevice.objects.get(user=alice).confirmed is False


def test_the_page_shows_a_qr_code_and_the_secret_as_text(alice_client, alice):
    alice_client.post(reverse("accounts:two_factor_start"))
    page = alice_client.get(PAGE)
    device = TOTPDevice.objects.get(user=alice)
    assert 'src="data:image/svg+xml' in page.text  # drawn here: the CSP allows data: images
    shown = re.search(r'id="secret-key">([A-Z2-7 ]+)<', page.text).group(1)
    assert TOTP(_b32(shown)).token() == TOTP(device.bin_key).token()
    # A reload shows the same secret (the phone may have scanned it already).
    assert shown in alice_client.get(PAGE).text


def _b32(text: str) -> bytes:
    from base64 import b32decode

    return b32decode(text.replace(" ", ""))


def test_a_wrong_code_is_refused_and_it_stays_off(alice_client, alice):
    alice_client.post(reverse("accounts:two_factor_start"))
    device = TOTPDevice.objects.get(user=alice)
    response = alice_client.post(
        reverse("accounts:two_factor_confirm"), {"code": wrong_code(device)}
    )
    assert response.status_code == 400
    assert "That code is not right" in response.text
    assert not two_factor.has_two_factor(alice)
    assert not AuditEntry.objects.filter(action="auth.2fa_enable").exists()


def test_turning_it_on_ends_the_users_other_sessions(alice_client, alice):
    """A session opened with the password alone (perhaps by whoever stole it) ends; the one
    that gave the code stays."""
    elsewhere = Client()
    elsewhere.force_login(alice)
    alice_client.post(reverse("accounts:two_factor_start"))
    device = TOTPDevice.objects.get(user=alice)
    alice_client.post(reverse("accounts:two_factor_confirm"), {"code": code_for(device)})
    assert elsewhere.get(PAGE)["Location"].startswith(LOGIN)
    assert alice_client.get(PAGE).status_code == 200


def test_the_right_code_turns_it_on_and_the_recovery_codes_are_shown_once(alice_client, alice):
    alice_client.post(reverse("accounts:two_factor_start"))
    device = TOTPDevice.objects.get(user=alice)
    response = alice_client.post(reverse("accounts:two_factor_confirm"), {"code": code_for(device)})
    assert response.status_code == 200
    assert two_factor.has_two_factor(alice)
    codes = recovery_codes(alice)
    assert len(codes) == 10 and all(code in response.text for code in codes)
    assert response["Cache-Control"] == "private, no-store"
    page = alice_client.get(PAGE)
    assert "On" in page.text and "10 unused recovery codes" in page.text
    assert not any(code in page.text for code in codes)  # shown once
    entry = AuditEntry.objects.get(action="auth.2fa_enable")
    assert entry.actor == alice and entry.details == {}
    # This session gave a code: it counts as verified.
    assert alice_client.get(PAGE).wsgi_request.user.is_verified()


def test_setting_it_up_asks_for_the_password_in_a_session_that_did_not_just_log_in(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:two_factor_start"), HTTP_REFERER=PAGE)
    assert response["Location"] == f"{reverse('accounts:sudo')}?next=%2Faccounts%2Ftwo-factor%2F"
    assert not TOTPDevice.objects.exists()


def test_new_recovery_codes_replace_the_old_ones(alice_client, alice, device):
    old = recovery_codes(alice)
    response = alice_client.post(reverse("accounts:recovery_codes"))
    new = recovery_codes(alice)
    assert len(new) == 10 and not set(old) & set(new)
    assert all(code in response.text for code in new)
    with pytest.raises(two_factor.CodeRefused):
        two_factor.verify(alice, old[0])
    assert AuditEntry.objects.filter(action="auth.2fa_recovery_codes", actor=alice).exists()


def test_turning_it_off_needs_the_password_or_a_code(alice_client, alice, device):
    off = reverse("accounts:two_factor_off")
    response = alice_client.post(off, {"code": "not the password"})
    assert response.status_code == 400 and two_factor.has_two_factor(alice)
    response = alice_client.post(off, {"code": code_for(device)})
    assert response["Location"] == PAGE
    assert not two_factor.has_two_factor(alice) and not recovery_codes(alice)
    assert AuditEntry.objects.filter(action="auth.2fa_disable", actor=alice).exists()


def test_turning_it_off_with_the_password(alice_client, alice, device):
    alice_client.post(reverse("accounts:two_factor_off"), {"code": PASSWORD})
    assert not two_factor.has_two_factor(alice)


# --- logging in -------------------------------------------------------------------------------


def test_without_two_factor_the_password_logs_in(client, alice):
    response = log_in_with_password(client)
    assert response["Location"] == reverse("servers:list")


def test_the_password_alone_does_not_log_in(client, alice, device):
    response = log_in_with_password(client)
    assert response["Location"] == CODE
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("servers:list"))
    assert page.status_code == 302 and page["Location"].startswith(LOGIN)
    assert not AuditEntry.objects.filter(action="auth.login").exists()
    code_page = client.get(CODE)
    assert code_page.status_code == 200 and "authenticator app" in code_page.text


def test_the_code_logs_in_and_keeps_next(client, alice, device):
    target = reverse("connections:list")
    log_in_with_password(client, next=target)
    response = client.post(CODE, {"code": code_for(device)})
    assert response["Location"] == target
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert client.get(target).wsgi_request.user.is_verified()
    assert AuditEntry.objects.filter(action="auth.login", actor=alice).exists()


def test_a_wrong_code_does_not_log_in_and_is_audited(client, alice, device):
    log_in_with_password(client)
    response = client.post(CODE, {"code": wrong_code(device)})
    assert response.status_code == 400 and "not right" in response.text
    assert "_auth_user_id" not in client.session
    entry = AuditEntry.objects.get(action="auth.2fa_failed")
    assert entry.actor == alice and entry.result == "failed"


def test_a_recovery_code_works_once(alice, device):
    code = recovery_codes(alice)[0]
    first, second = Client(), Client()
    log_in_with_password(first)
    # As typed from a printout: upper case, with a space.
    assert first.post(CODE, {"code": f"{code[:4].upper()} {code[4:]}"}).status_code == 302
    assert "_auth_user_id" in first.session
    log_in_with_password(second)
    assert second.post(CODE, {"code": code}).status_code == 400
    assert len(recovery_codes(alice)) == 9


def test_wrong_codes_are_throttled_like_passwords(client, alice, device, settings):
    """The password's attempt counts until the code is right: with 5 allowed, the password
    and four wrong codes use them up, and then even the right code is not checked."""
    log_in_with_password(client)
    for _ in range(settings.PANEL_LOGIN_MAX_FAILURES - 1):
        assert client.post(CODE, {"code": wrong_code(device)}).status_code == 400
    response = client.post(CODE, {"code": code_for(device)})
    assert response.status_code == 429 and "Too many failed attempts" in response.text
    assert "_auth_user_id" not in client.session
    assert log_in_with_password(client).status_code == 429  # the password too, for a while


def test_the_device_waits_a_moment_after_a_wrong_code(client, alice, device):
    """django-otp's own throttle: after a wrong code the next one waits 1 s, then 2, 4..."""
    log_in_with_password(client)
    client.post(CODE, {"code": wrong_code(device)})
    response = client.post(CODE, {"code": code_for(device)})
    assert response.status_code == 400 and "wait 1 second" in response.text
    time.sleep(1.1)
    assert client.post(CODE, {"code": code_for(device)}).status_code == 302


def test_trust_and_the_device_cookie_come_only_after_the_code(client, alice, device):
    response = log_in_with_password(client)
    assert throttle.DEVICE_COOKIE not in response.cookies
    assert not LoginAttempt.objects.filter(failed=False).exists()
    assert LoginAttempt.objects.filter(failed=True).count() == 1  # counted until the code
    response = client.post(CODE, {"code": code_for(device)})
    assert throttle.DEVICE_COOKIE in response.cookies
    assert LoginAttempt.objects.filter(failed=False).count() == 1
    assert not LoginAttempt.objects.filter(failed=True).exists()


def test_the_code_must_follow_soon(client, alice, device):
    log_in_with_password(client)
    session = client.session
    session[login_steps.PENDING_KEY]["at"] -= login_steps.PENDING_MAX_AGE + 1
    session.save()
    response = client.post(CODE, {"code": code_for(device)})
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_a_user_disabled_while_the_code_is_awaited_cannot_finish(client, alice, device):
    log_in_with_password(client)
    alice.is_active = False
    alice.save()
    assert client.post(CODE, {"code": code_for(device)})["Location"] == LOGIN


def test_the_code_step_without_a_password_goes_to_the_login(client, db):
    assert client.get(CODE)["Location"] == LOGIN


def test_no_secret_or_code_reaches_the_logs_or_the_audit(client, alice, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(LOGIN, {"username": "alice", "password": PASSWORD})
    client.post(reverse("accounts:two_factor_start"))
    device = TOTPDevice.objects.get(user=alice)
    secret = two_factor.secret(device).replace(" ", "")
    wrong, right = wrong_code(device), code_for(device)
    client.post(reverse("accounts:two_factor_confirm"), {"code": wrong})
    time.sleep(1.1)  # django-otp's wait after a wrong code
    client.post(reverse("accounts:two_factor_confirm"), {"code": right})
    codes = recovery_codes(alice)
    client.post(reverse("accounts:logout"))
    log_in_with_password(client)
    client.post(CODE, {"code": codes[0]})
    audit = repr(list(AuditEntry.objects.values()))
    for value in (secret, device.key, wrong, right, *codes):
        assert value not in caplog.text and value not in audit


# --- required of everyone ---------------------------------------------------------------------


def test_admins_require_it_on_the_security_page_and_it_is_audited(alice_client, alice, device):
    page = alice_client.get(reverse("accounts:security"))
    assert "0 of 1 active users have not set up two-factor login." in page.text
    response = alice_client.post(reverse("accounts:security"), {"require_two_factor": "on"})
    assert response["Location"] == reverse("accounts:security")
    assert SecuritySettings.two_factor_required()
    entry = AuditEntry.objects.get(action="settings.require_2fa")
    assert entry.details == {"required": True} and entry.actor == alice
    alice_client.post(reverse("accounts:security"), {})
    assert not SecuritySettings.two_factor_required()


def test_only_admins_open_the_security_page(bob_client):
    assert bob_client.get(reverse("accounts:security")).status_code == 403


@pytest.fixture
def required(db):
    SecuritySettings.objects.create(pk=1, require_two_factor=True)


def test_users_without_it_are_led_to_set_it_up_before_anything_else(bob_client, bob, required):
    for url in (reverse("servers:list"), reverse("accounts:password_change")):
        assert bob_client.get(url)["Location"] == PAGE
    htmx = bob_client.get(reverse("servers:list"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == PAGE
    page = bob_client.get(PAGE)
    assert page.status_code == 200 and "requires two-factor login" in page.text
    # What the page itself needs, the language switch and logging out still answer.
    assert bob_client.get(reverse("site:branding_css")).status_code == 200
    assert bob_client.post(reverse("set_language"), {"language": "nb"}).status_code == 302
    assert bob_client.post(reverse("accounts:logout"))["Location"] == LOGIN


def test_once_set_up_everything_opens(bob_client, bob, required):
    bob_client.post(reverse("accounts:two_factor_start"))
    device = TOTPDevice.objects.get(user=bob)
    bob_client.post(reverse("accounts:two_factor_confirm"), {"code": code_for(device)})
    assert bob_client.get(reverse("servers:list")).status_code == 200


def test_users_with_it_are_not_held_up(alice_client, device, required):
    assert alice_client.get(reverse("servers:list")).status_code == 200
