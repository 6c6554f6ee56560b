"""A login in two steps for users with two-factor login: after the password, the session
holds only who is waiting for their code (not a login: every page still sends them to
log in); the user is logged in once the code is right.

What a successful login brings (the throttle's trust, the device cookie, sudo mode)
happens in `finish`, after the last step, never after the password alone.
"""

from __future__ import annotations

import time

import django_otp
from django.contrib.auth import login
from django.shortcuts import redirect

from . import sudo, throttle
from .models import User

PENDING_KEY = "panel:login_pending"
# The code must follow the password within this many seconds.
PENDING_MAX_AGE = 5 * 60


def wait_for_code(request, user, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,  # set by authenticate(); login() needs it again
        "next": next_url,
        "at": time.time(),
    }


def pending(request) -> tuple[User, dict] | None:
    """The user waiting for their code and their step's details, or None when no login is
    waiting (or it waited too long, or the user was disabled meanwhile)."""
    step = request.session.get(PENDING_KEY)
    if not step or time.time() - step["at"] > PENDING_MAX_AGE:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=step["user"], is_active=True).first()
    return (user, step) if user is not None else None


def finish(request, user, next_url: str, *, backend: str | None = None, device=None, proved=True):
    """Log `user` in (with the django-otp `device` that accepted their code, if any) and
    answer with the redirect to `next_url`. `proved`: they typed a password or a code just
    now, so sudo mode starts too (not after a sign-in link alone)."""
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=backend)
    if device is not None:
        django_otp.login(request, device)  # request.user.is_verified() from now on
    if proved or device is not None:
        sudo.confirm(request.session)
    response = redirect(next_url)
    # From now on this browser passes the per-username limit (panel.accounts.throttle).
    throttle.remember_device(request, response, user.get_username())
    return response
