"""E-mail in a brand: the brand's name as the sender, and the white label kept.

    mail_user(user, "operations/email_subject.txt", "operations/email_body.txt", context)
    send(brand, address, subject_template, body_template, context, white_label=...)

`mail_user` writes to someone with a login, in the brand they last logged in through (a
task has no Host to go by; branding.services.brand_for_user), with `user` in the context.
`send` is for an address and a brand the caller chose (an invitation: the brand of the
inviter's request). Templates get `brand` and `brand_name`. For someone who must not see
the provider (whitelabel.white_label_for) the subject and body pass through scrub().
An unreachable mail server raises OSError: each caller decides what that means.
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from panel.core.scrub import scrub

from .services import brand_for_user
from .whitelabel import white_label_for


def send(
    brand, to: str, subject_template: str, body_template: str, context: dict, *, white_label: bool
) -> None:
    context = {**context, "brand": brand, "brand_name": brand.name}
    subject = render_to_string(subject_template, context).strip()
    body = render_to_string(body_template, context)
    if white_label:
        subject, body = scrub(subject), scrub(body)
    # The brand's name as the sender's name, on the panel's own address.
    sender = formataddr((brand.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
    send_mail(subject, body, sender, [to])


def mail_user(user, subject_template: str, body_template: str, context: dict) -> None:
    brand = brand_for_user(user)
    send(
        brand,
        user.email,
        subject_template,
        body_template,
        {**context, "user": user},
        white_label=white_label_for(user, brand),
    )
