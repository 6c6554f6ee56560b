"""Login throttling, kept in the database (shared by every web process, and working
whether or not Redis answers).

Each attempt is written down BEFORE its password is checked and then counted, so N
requests sent at the same moment cannot all slip past the check: each insert commits
before its count, so at most PANEL_LOGIN_MAX_FAILURES of them reach the password hasher.
A correct password removes the attempt again (and its address's earlier failures), so
only failures add up. An attempt refused by a limit is removed at once: it was never
checked, it does not prolong the lock, and a flood of them does not fill the table.

Two limits within the last PANEL_LOGIN_WINDOW seconds:
- per username and client address (PANEL_LOGIN_MAX_FAILURES, default 5);
- per username from all addresses together (PANEL_LOGIN_MAX_FAILURES_PER_USERNAME,
  default 20), so an attacker who rotates addresses still gets few guesses.

The second limit must not be turned against the user: it does not apply to a browser or
an address that logged in as that username before (a signed, long-lived device cookie,
and the addresses of successful logins, both kept PANEL_LOGIN_TRUSTED_DAYS). Someone at a
known address or with the cookie is still held by the first limit.

Usernames and addresses are stored as keyed hashes: a mistyped password in the username
field never lands in the table as it was typed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import LoginAttempt

logger = logging.getLogger(__name__)

DEVICE_COOKIE = "panel_device"
_DEVICE_SALT = "panel.accounts.throttle.device"
# A browser remembers at most this many usernames (the most recent ones).
_DEVICE_NAMES = 5


def _normal(username: str) -> str:
    return username.strip().lower()


def _key(value: str) -> str:
    return salted_hmac("panel.accounts.throttle", value, algorithm="sha256").hexdigest()


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind a proxy (PANEL_BEHIND_PROXY) the last
    hop of X-Forwarded-For, the one our proxy added. Earlier hops come from the client and
    could be anything."""
    if request is None:
        return ""
    if settings.PANEL_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")


# --- the device cookie ---------------------------------------------------------------------


def _trusted_days() -> int:
    return settings.PANEL_LOGIN_TRUSTED_DAYS


def device_names(request) -> list[str]:
    """The usernames this browser logged in as before (from its signed cookie)."""
    value = request.COOKIES.get(DEVICE_COOKIE) if request is not None else None
    if not value:
        return []
    try:
        names = signing.loads(value, salt=_DEVICE_SALT, max_age=_trusted_days() * 86400)
    except signing.BadSignature:  # also SignatureExpired
        return []
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def remember_device(request, response, username: str) -> None:
    """After a successful login: the browser may pass the per-username limit from now on."""
    name = _normal(username)
    others = [n for n in device_names(request) if n != name]
    names = [*others[-(_DEVICE_NAMES - 1) :], name]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(names, salt=_DEVICE_SALT),
        max_age=_trusted_days() * 86400,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
        samesite="Lax",
    )


# --- attempts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """An attempt over a limit: when the next one will be checked again."""

    until: datetime


def is_trusted(request, username: str, address: str) -> bool:
    """This browser or this address logged in as `username` before."""
    name = _normal(username)
    if name in device_names(request):
        return True
    since = timezone.now() - timedelta(days=_trusted_days())
    return LoginAttempt.objects.filter(
        username=_key(name), address=_key(address), failed=False, at__gte=since
    ).exists()


def _over(failures, limit: int, window: timedelta) -> datetime | None:
    """When `failures` (a queryset) hold more than `limit` attempts in the window, the time
    the oldest attempt that still counts leaves it; else None."""
    recent = failures.order_by("-at").values_list("at", flat=True)
    # The limit+1'th most recent one: only once it is gone can the next attempt pass.
    boundary = list(recent[limit : limit + 1])
    return boundary[0] + window if boundary else None


def attempt(username: str, address: str, *, trusted: bool = False) -> Refusal | None:
    """Write one login attempt down; a Refusal if it is over a limit (then do not check
    the password), else None."""
    now = timezone.now()
    window = timedelta(seconds=settings.PANEL_LOGIN_WINDOW)
    _prune(now, window)
    name, place = _key(_normal(username)), _key(address)
    row = LoginAttempt.objects.create(username=name, address=place, at=now)
    recent = LoginAttempt.objects.filter(failed=True, at__gt=now - window, username=name)
    # In order: an attempt refused for its address does not count against the username,
    # so one address alone cannot use up everyone's allowance.
    until = _over(recent.filter(address=place), settings.PANEL_LOGIN_MAX_FAILURES, window)
    if until is None and not trusted:
        until = _over(recent, settings.PANEL_LOGIN_MAX_FAILURES_PER_USERNAME, window)
    if until is None:
        return None
    row.delete()
    return Refusal(until=until)


def succeeded(username: str, address: str) -> None:
    """A correct password: forget this address's failures (this attempt included), and
    remember the address as one this username logs in from."""
    name, place = _key(_normal(username)), _key(address)
    LoginAttempt.objects.filter(username=name, address=place, failed=True).delete()
    LoginAttempt.objects.update_or_create(
        username=name, address=place, failed=False, defaults={"at": timezone.now()}
    )


def _prune(now: datetime, window: timedelta) -> None:
    """Failures older than the window and successes older than the trust period go."""
    LoginAttempt.objects.filter(failed=True, at__lt=now - window).delete()
    LoginAttempt.objects.filter(failed=False, at__lt=now - timedelta(days=_trusted_days())).delete()
