"""E-mail to the person who started an operation when it ends. Never a secret in it.

It goes in the initiator's brand and keeps the white label (panel.branding.mail).
"""

from __future__ import annotations

import logging

from panel.branding.mail import mail_user

from .kinds import KINDS

logger = logging.getLogger(__name__)


def finished(op) -> None:
    user = op.initiator
    if user is None or not user.email:
        return
    context = {"op": op, "label": KINDS[op.kind].label}
    try:
        mail_user(user, "operations/email_subject.txt", "operations/email_body.txt", context)
    except OSError as error:  # an unreachable mail server must not fail the operation
        logger.warning("operation %s: the e-mail to its initiator failed: %r", op.pk, error)
