"""What the users pages do: the list's query and password reset links."""

from __future__ import annotations

import operator
from datetime import timedelta
from functools import reduce

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Prefetch, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.timesince import timeuntil
from django_otp import device_classes

from panel.accounts.models import User
from panel.branding.mail import mail_user
from panel.branding.services import brand_for_user
from panel.teams.models import Membership


def _has_confirmed_device():
    """django_otp.user_has_device(user, confirmed=True) as an expression: one EXISTS per
    kind of device, so a whole page of users costs one query."""
    exists = [
        Q(Exists(model.objects.filter(user=OuterRef("pk"), confirmed=True)))
        for model in device_classes()
    ]
    return ExpressionWrapper(reduce(operator.or_, exists), output_field=BooleanField())


def user_list(query: str = ""):
    """Every user (matching `query` in the username, names or e-mail), by username
    regardless of case, with `two_factor` and their memberships (teams by name)."""
    users = User.objects.all()
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(email__icontains=query)
        )
    memberships = Membership.objects.select_related("team").order_by(Lower("team__name"))
    return (
        users.annotate(two_factor=_has_confirmed_device())
        .prefetch_related(Prefetch("memberships", queryset=memberships))
        .order_by(Lower("username"), "pk")
    )


def reset_link(user) -> str:
    """A link by which `user` sets a new password, on the host of their brand (see
    BrandInfo.link). It works once (the token is signed over the password hash and the
    last login) and until PASSWORD_RESET_TIMEOUT has passed."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return brand_for_user(user).link(reverse("users:password_reset", args=[uid, token]))


def reset_link_ends():
    return timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def reset_link_lifetime() -> str:
    """How long a link works, in words: "3 days"."""
    now = timezone.now()
    return timeuntil(now + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT), now)


def send_reset_link(user, link: str) -> None:
    """E-mail the link to the user, in their brand. OSError when the mail server fails."""
    context = {"link": link, "ends": reset_link_ends()}
    mail_user(user, "users/reset_email_subject.txt", "users/reset_email_body.txt", context)


def send_welcome(user) -> None:
    """E-mail a new user (made by a billing system) a link to choose their password, in
    their brand. OSError when the mail server fails."""
    context = {"link": reset_link(user), "ends": reset_link_ends()}
    mail_user(user, "users/welcome_email_subject.txt", "users/welcome_email_body.txt", context)
