"""One-time sign-in links: `POST /api/v1/sso-links/` asks for one, a billing system sends
its customer to it, and opening it logs that person in.

A link is `<their brand's host>/accounts/sign-in/?token=<nonce>`: valid for
SIGN_IN_LINK_SECONDS and usable once (the nonce's digest is burnt by the one UPDATE that
finds it unused and unexpired). The nonce sits in the query string's `token=`, which the
access logs hide (panel.site.accesslog), and the view redirects at once, so it leaves the
address bar. Two-factor users still give their code. Never for a panel admin: a leaked
billing token must not open the whole panel.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from panel.branding.services import brand_for_user

from .models import SignInLink, User

SIGN_IN_LINK_SECONDS = 60


class NotForThisUser(Exception):
    """The link is refused for this user (a panel admin, or disabled); the text says why."""


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def issue(user: User, *, server=None, made_by: str) -> tuple[str, object]:
    """A new link for `user` (landing on `server`'s page when given): (url, expires_at)."""
    if user.is_panel_admin or user.is_superuser:
        raise NotForThisUser(_("Sign-in links are not made for panel admins."))
    if not user.is_active:
        raise NotForThisUser(_("This user is disabled."))
    nonce = secrets.token_urlsafe(32)
    now = timezone.now()
    link = SignInLink.objects.create(
        digest=_digest(nonce),
        user=user,
        server=server,
        made_by=made_by[:200],
        created_at=now,
        expires_at=now + timedelta(seconds=SIGN_IN_LINK_SECONDS),
    )
    url = brand_for_user(user).link(
        f"{reverse('accounts:sign_in_link')}?{urlencode({'token': nonce})}"
    )
    return url, link.expires_at


def redeem(nonce: str) -> SignInLink | None:
    """The link of this nonce, burnt now; None if there is none, or it was used or expired.

    One UPDATE decides, so two tabs (or a replay) cannot both use one link."""
    if not nonce or len(nonce) > 100:
        return None
    digest = _digest(nonce)
    now = timezone.now()
    with transaction.atomic():
        burnt = SignInLink.objects.filter(
            digest=digest, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not burnt:
            return None
        return SignInLink.objects.select_related("user", "user__customer", "server").get(
            digest=digest
        )


def prune() -> int:
    """Forget links that can no longer be used (run daily by beat with the other prunes)."""
    cutoff = timezone.now() - timedelta(days=1)
    return SignInLink.objects.filter(expires_at__lt=cutoff).delete()[0]
