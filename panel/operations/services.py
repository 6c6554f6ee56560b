"""Creating long operations, revealing a root password once, and what people may see.

`create` is what the command executor (panel.commands) runs for a StartOperation: the
command's idempotency key is the row's unique key (a double click finds the first row),
the partial unique constraint keeps one active operation per server and kind, and the task
is queued only once the row is committed. If the queue cannot be reached, the row is
removed again and the person is told plainly: no half-created operation stays behind.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from panel.core import crypto
from panel.core.outcomes import Outcome, refused
from panel.core.templatetags.panel import when
from panel.core.workers import workers_alive

from .kinds import KINDS
from .models import Operation
from .tasks import run_operation

logger = logging.getLogger(__name__)

# English, as written; translated where it is used (_(QUEUE_DOWN_MESSAGE)).
QUEUE_DOWN_MESSAGE = gettext_noop(
    "Background jobs are not available right now, so nothing was started. Please try again "
    "in a few minutes; if this keeps happening, tell an administrator."
)


def create(
    row, kind_name: str, key: str, input: dict, *, actor
) -> tuple[Outcome, Operation | None]:
    """The operation of `actor`, queued once; called by the command executor only.

    (outcome, operation or None): a key seen before gives its operation back (replayed);
    an active operation of the kind on the server refuses this one; a queue that cannot be
    reached removes the row again.
    """
    kind = KINDS[kind_name]
    earlier = Operation.objects.filter(idempotency_key=key).first()
    if earlier is not None:  # a double click or a resubmitted form: the first one counts
        return Outcome(True, _already_started(kind), replayed=True), earlier
    if not workers_alive():
        return refused(_(QUEUE_DOWN_MESSAGE), unavailable=True), None
    try:
        with transaction.atomic():
            op = Operation.objects.create(
                kind=kind_name,
                server=row,
                srv_id=row.srv_id,
                server_name=row.display_name,
                connection=row.connection,
                initiator=actor.user,
                initiator_name=actor.name,
                token=actor.token,
                actor_kind=actor.kind,
                origin=actor.origin,
                idempotency_key=key,
                input=input,
                progress=_("Waiting for a background worker…"),
            )
    except IntegrityError:
        earlier = Operation.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            return Outcome(True, _already_started(kind), replayed=True), earlier
        active = Operation.objects.filter(
            srv_id=row.srv_id,
            connection=row.connection,
            kind=kind_name,
            status__in=Operation.ACTIVE,
        ).first()
        message = _("%(operation)s is already under way on this server: wait for it to finish.") % {
            "operation": kind.label
        }
        return refused(message), active
    if not _enqueue(op):
        op.delete()
        return refused(_(QUEUE_DOWN_MESSAGE), unavailable=True), None
    started = _("%(operation)s was started: you can follow it here, or leave the page.") % {
        "operation": kind.label
    }
    return Outcome(True, started), op


def _already_started(kind) -> str:
    return _("%(operation)s was already started.") % {"operation": kind.label}


def _enqueue(op: Operation) -> bool:
    """Queue the operation's task, with the language of this request (or, for a schedule,
    the panel's): what the task writes for people to read, and its e-mail, are in it."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    try:
        run_operation.apply_async((op.pk,), {"language": language}, retry=False)
    except (KombuError, RedisError, OSError) as error:
        logger.warning("operation %s not queued: %r", op.pk, error)
        return False
    return True


def reveal_password(op: Operation, actor) -> tuple[str, str]:
    """(password, "") the first time; ("", why not) after that. The ciphertext is wiped in
    the same transaction that reads it, so two reveals at once cannot both see it. Through
    the command executor only (operations.commands.RevealRootPassword), which audits it."""
    with transaction.atomic():
        locked = Operation.objects.select_for_update().get(pk=op.pk)
        if not locked.root_password_encrypted:
            return "", _why_not(locked)
        try:
            password = crypto.decrypt(locked.root_password_encrypted)
        except crypto.DecryptionError:
            return "", _("The password cannot be decrypted with the panel's current keys.")
        now = timezone.now()
        Operation.objects.filter(pk=op.pk).update(
            root_password_encrypted="",
            password_revealed_at=now,
            password_revealed_by=actor.name,
        )
    return password, ""


def _why_not(op: Operation) -> str:
    if op.password_revealed_at:
        return _("The root password was already shown, to %(name)s, on %(time)s.") % {
            "name": op.password_revealed_by,
            "time": when(op.password_revealed_at),
        }
    if op.password_wiped_at:
        return _("The root password was not revealed within 24 hours and has been erased.")
    if op.is_active:
        return _("The root password is not known yet: the reinstall is still starting.")
    # Translators: keep "Terrahost" a word of its own: whitelabel.scrub() replaces it.
    return _("Terrahost did not give the panel a root password for this reinstall.")


def dismiss(op: Operation) -> None:
    Operation.objects.filter(pk=op.pk, status__in=Operation.FINAL).update(dismissed=True)


def rotate_root_passwords() -> tuple[int, int]:
    """Re-encrypt waiting root passwords with the first key: (rotated, unreadable). A
    password revealed meanwhile is never written back (the update is conditional)."""
    rotated = unreadable = 0
    waiting = Operation.objects.exclude(root_password_encrypted="")
    for pk, ciphertext in waiting.values_list("pk", "root_password_encrypted"):
        try:
            fresh = crypto.rotate(ciphertext)
        except crypto.DecryptionError:
            unreadable += 1
            continue
        rotated += Operation.objects.filter(pk=pk, root_password_encrypted=ciphertext).update(
            root_password_encrypted=fresh
        )
    return rotated, unreadable
