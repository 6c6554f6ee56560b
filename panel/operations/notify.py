"""E-mail to the person who started an operation when it ends. Never a secret in it.

The e-mail carries the brand the initiator last logged in through (a task has no Host to
go by; see branding.services.brand_for_user), and keeps the white label: for someone who
must not see the provider, its name and host names are replaced (branding.whitelabel).
"""

from __future__ import annotations

import logging
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from panel.branding.services import brand_for_user
from panel.branding.whitelabel import scrub, white_label_for

from .kinds import KINDS

logger = logging.getLogger(__name__)


def finished(op) -> None:
    user = op.initiator
    if user is None or not user.email:
        return
    kind = KINDS[op.kind]
    brand = brand_for_user(user)
    context = {
        "op": op,
        "label": kind.label,
        "user": user,
        "brand": brand,
        "brand_name": brand.name,
    }
    subject = render_to_string("operations/email_subject.txt", context).strip()
    body = render_to_string("operations/email_body.txt", context)
    if white_label_for(user, brand):
        subject, body = scrub(subject), scrub(body)
    # The brand's name as the sender's name, on the panel's own address.
    sender = formataddr((brand.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
    try:
        send_mail(subject, body, sender, [user.email])
    except OSError as error:  # an unreachable mail server must not fail the operation
        logger.warning("operation %s: the e-mail to its initiator failed: %r", op.pk, error)
