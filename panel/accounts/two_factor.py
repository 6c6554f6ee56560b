"""Two-factor login with django-otp: an authenticator app (a TOTP device) and recovery
codes (a static device whose tokens are used up one by one).

The TOTP secret lives only in django-otp's table (TOTPDevice.key) and, while the user
enrols, in their own page (QR code and text). Nothing here logs, caches or audits it, nor
a code or a recovery code.
"""

from __future__ import annotations

from base64 import b32encode
from datetime import datetime
from urllib.parse import quote, urlencode

import segno
from django.db import transaction
from django_otp import devices_for_user
from django_otp import verify_token as otp_verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10


class CodeRefused(Exception):
    """The code was not accepted; `until` is set when the device is locked after wrong
    codes (django-otp's own throttle, growing with each wrong code)."""

    def __init__(self, until: datetime | None = None):
        super().__init__()
        self.until = until


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def without_two_factor(users):
    """`users` (a queryset) narrowed to those without two-factor login."""
    return users.exclude(totpdevice__confirmed=True)


def pending_device(user) -> TOTPDevice | None:
    """The authenticator being set up (scanned, its first code not yet given)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def start(user) -> TOTPDevice:
    """A new secret to scan; one that was begun and not finished is replaced."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed: base32, in groups of four."""
    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_code(device: TOTPDevice, issuer: str) -> str:
    """The otpauth:// link as a QR code, an SVG data: URI (the CSP allows data: images),
    black on white so that it scans in the dark theme too."""
    label = quote(f"{issuer}:{device.user.get_username()}")
    query = urlencode({"secret": secret(device).replace(" ", ""), "issuer": issuer})
    qr = segno.make(f"otpauth://totp/{label}?{query}", error="m")
    return qr.svg_data_uri(scale=5, dark="#000", light="#fff")


def turn_on(device: TOTPDevice) -> list[str]:
    """Confirm the authenticator (its first code was right); its recovery codes, to be
    shown once."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


def new_recovery_codes(user) -> list[str]:
    """Fresh recovery codes; the earlier ones stop working."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, defaults={"name": "Recovery codes", "confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def turn_off(user) -> int:
    """Remove the authenticator and the recovery codes, confirmed or not: the password alone
    logs in. How many devices there were."""
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    return len(devices)


def verify(user, code: str) -> Device:
    """The device that accepts `code`: six digits are the authenticator's code, anything
    else a recovery code (used up by this). Only one device is tried, so one wrong code
    counts once in django-otp's throttle."""
    code = _normal(code)
    model = TOTPDevice if len(code) == 6 and code.isdigit() else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise CodeRefused()
    check(device, code)
    return device


def check(device: Device, code: str) -> None:
    """CodeRefused unless `device` accepts `code` now."""
    allowed, why = device.verify_is_allowed()
    if not allowed:
        raise CodeRefused(until=(why or {}).get("locked_until"))
    # django-otp's verify_token locks the device's row, so that a code works only once.
    if otp_verify_token(device.user, device.persistent_id, _normal(code)) is None:
        raise CodeRefused()


def _normal(code: str) -> str:
    """Codes as typed: "123 456", "ABCD-EFGH"."""
    return "".join(code.split()).replace("-", "").lower()
