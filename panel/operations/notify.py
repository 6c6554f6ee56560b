"""E-mail to the person who started an operation when it ends. Never a secret in it."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .kinds import KINDS

logger = logging.getLogger(__name__)


def finished(op) -> None:
    user = op.initiator
    if user is None or not user.email:
        return
    kind = KINDS[op.kind]
    context = {"op": op, "label": kind.label, "user": user, "brand_name": settings.PANEL_BRAND_NAME}
    subject = render_to_string("operations/email_subject.txt", context).strip()
    body = render_to_string("operations/email_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except OSError as error:  # an unreachable mail server must not fail the operation
        logger.warning("operation %s: the e-mail to its initiator failed: %r", op.pk, error)
