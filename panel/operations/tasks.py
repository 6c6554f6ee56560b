"""The Celery side of long operations. Tasks take an operation id, never a secret.

run_operation    claims the row (queued -> running, atomically: a redelivered task does
                 nothing), re-checks the initiator's permission (and the bounds of the
                 API token that asked, if one did), commits `sent_at`, makes the one
                 upstream write, then hands over to follow_operation.
follow_operation one read of upstream state; queues itself again with a growing pause
                 (with jitter) until the work is done, failed or overdue.
sweep_operations beat: operations whose worker died (no heartbeat) are followed again by
                 reading state; one that never sent its write fails with a clear reason.
                 Nothing here ever sends a write twice.
wipe_root_passwords beat: unrevealed root passwords are erased after 24 hours.
heartbeat        beat: says in the cache that a worker is taking jobs (read by
                 panel.core.workers.workers_alive).

Language: what these tasks write for people (progress, failures, the e-mail at the end) is
in the language of the request that started the operation, which run_operation gets as
`language` and passes on to every follow. An operation the sweep picks up again has lost
it, and goes on in the panel's default language (settings.LANGUAGE_CODE).
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from panel.audit.log import record
from panel.audit.models import AuditEntry
from panel.connections.errors import ConnectionProblem, explain
from panel.connections.services import api
from panel.core import events, locks
from panel.core.actors import Actor
from panel.core.workers import HEARTBEAT_TTL, WORKERS_ALIVE_KEY
from panel.tokens.access import allows
from terrahost_client.errors import TerrahostError, TransportError

from . import notify
from .kinds import KINDS, Check
from .models import Operation

logger = logging.getLogger(__name__)

# A running operation without a heartbeat for this long has lost its worker.
STALE_AFTER = timedelta(seconds=90)
# A queued operation no worker took for this long is queued again (it never sent anything).
QUEUED_TOO_LONG = timedelta(minutes=5)
PASSWORD_KEPT = timedelta(hours=24)

Status = Operation.Status


def _update(op: Operation, **fields) -> None:
    for name, value in fields.items():
        setattr(op, name, value)
    Operation.objects.filter(pk=op.pk).update(**fields)


@shared_task(
    name="panel.operations.tasks.run_operation", acks_late=True, time_limit=120, soft_time_limit=100
)
def run_operation(op_id: int, language: str | None = None) -> None:
    with translation.override(language or settings.LANGUAGE_CODE):
        _run(op_id, language)


def _run(op_id: int, language: str | None) -> None:
    now = timezone.now()
    claimed = Operation.objects.filter(pk=op_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now, progress=_("Starting…")
    )
    if not claimed:
        return  # already taken (a redelivery) or gone
    op = Operation.objects.select_related(
        "server", "connection", "initiator", "token", "token__owner"
    ).get(pk=op_id)
    kind = KINDS[op.kind]
    _audit(op, f"{op.kind}.started")
    _announce("operation.started", op)
    if not _still_allowed(op, kind.key):
        _finish(op, Status.FAILED, error=_("Permission withdrawn: nothing was sent to the server."))
        return
    try:
        with api(op.connection) as client:
            _update(op, sent_at=timezone.now())  # committed before the write, never undone
            facts = kind.send(client, op) or {}
    except TransportError as error:
        # The write may have reached Terrahost: find out by reading, never by sending again.
        _update(
            op,
            status=Status.UNKNOWN,
            heartbeat_at=timezone.now(),
            error_detail=str(error)[:500],
            progress=_("The provider did not answer in time; checking whether it was received…"),
        )
        _follow_later(op, kind.first_check, language=language)
        return
    except (TerrahostError, ConnectionProblem) as error:
        outcome = explain(error)
        _finish(op, Status.FAILED, error=outcome.message, error_detail=outcome.detail)
        return
    _update(
        op, result={**op.result, **facts}, progress=str(kind.started), heartbeat_at=timezone.now()
    )
    _follow_later(op, kind.first_check, language=language)


@shared_task(
    name="panel.operations.tasks.follow_operation",
    acks_late=True,
    time_limit=60,
    soft_time_limit=50,
)
def follow_operation(op_id: int, attempt: int = 0, language: str | None = None) -> None:
    with translation.override(language or settings.LANGUAGE_CODE):
        _follow(op_id, attempt, language)


def _follow(op_id: int, attempt: int, language: str | None) -> None:
    op = (
        Operation.objects.select_related("server", "connection", "initiator")
        .filter(pk=op_id, status__in=(Status.RUNNING, Status.UNKNOWN))
        .first()
    )
    if op is None or op.sent_at is None:
        return
    kind = KINDS[op.kind]
    _update(op, heartbeat_at=timezone.now())
    try:
        with api(op.connection) as client:
            check = kind.check(client, op)
    except (TerrahostError, ConnectionProblem) as error:
        # Reads fail now and then (a hidden server, a 502): look again later.
        logger.info("operation %s: check failed (%r); trying again", op.pk, error)
        check = Check(seen=op.status == Status.RUNNING, progress=op.progress)
    waited = (timezone.now() - op.sent_at).total_seconds()
    if check.failed:
        _finish(op, Status.FAILED, error=check.failed, result={**op.result, **check.result})
    elif check.done:
        _finish(op, Status.SUCCEEDED, result={**op.result, **check.result})
    elif op.status == Status.UNKNOWN and not check.seen and waited > kind.unknown_grace:
        _finish(
            op,
            Status.FAILED,
            error=_(
                "There is no sign that the provider received this, and nothing was sent "
                "again. Check the server; you can start it again if needed."
            ),
        )
    elif waited > kind.give_up_after:
        minutes = kind.give_up_after // 60
        _finish(
            op,
            Status.FAILED,
            error=ngettext(
                "This did not finish within %(minutes)d minute. Check the server's state.",
                "This did not finish within %(minutes)d minutes. Check the server's state.",
                minutes,
            )
            % {"minutes": minutes},
        )
    else:
        fields = {
            "progress": check.progress or op.progress,
            "result": {**op.result, **check.result},
        }
        if op.status == Status.UNKNOWN and check.seen:
            fields["status"] = Status.RUNNING  # it did arrive: follow it as usual
        _update(op, **fields)
        _follow_later(op, _pause(kind, attempt), attempt + 1, language=language)


def _pause(kind, attempt: int) -> float:
    """first_check growing by half each time up to longest_pause, less up to 20 % jitter."""
    pause = min(kind.longest_pause, kind.first_check * 1.5**attempt)
    return pause * random.uniform(0.8, 1.0)


def _follow_later(
    op: Operation, countdown: float, attempt: int = 0, *, language: str | None = None
) -> None:
    follow_operation.apply_async((op.pk, attempt), {"language": language}, countdown=countdown)


def _actor(op: Operation) -> Actor:
    return Actor(op.actor_kind, op.initiator, op.origin, token=op.token)


def _still_allowed(op: Operation, key: str) -> bool:
    """The executor's rule again, now: the initiator's access, and their token's bounds."""
    return op.server is not None and allows(_actor(op), op.server, key)


def _finish(op: Operation, status: str, **fields) -> None:
    """The final state, once: the audit entry and the e-mail follow only the write that won."""
    now = timezone.now()
    done = Operation.objects.filter(pk=op.pk, status__in=Operation.ACTIVE).update(
        status=status, finished_at=now, heartbeat_at=now, progress="", **fields
    )
    if not done:
        return
    op.refresh_from_db()
    result = AuditEntry.Result.OK if status == Status.SUCCEEDED else AuditEntry.Result.FAILED
    _audit(op, f"{op.kind}.finished", result=result, message=op.error)
    _announce("operation.finished", op)
    kind = KINDS[op.kind]
    if status == Status.SUCCEEDED and kind.succeeded is not None:
        kind.succeeded(op)
    notify.finished(op)


def _announce(type: str, op: Operation) -> None:
    """An operation event for webhooks: which operation, on which server, and its status;
    not its input or result (what those hold is each kind's own business)."""
    server = op.server
    events.announce(
        type,
        {
            "server": events.server_facts(server)
            if server is not None
            else {"id": None, "srv_id": op.srv_id, "name": op.server_name},
            "operation": {"id": op.pk, "kind": op.kind, "status": op.status},
        },
        customer_id=server.customer_id if server is not None else None,
    )


def _audit(op: Operation, action: str, **kwargs) -> None:
    record(
        action,
        actor=_actor(op),
        actor_name=op.initiator_name,
        server=op.server,
        connection=op.connection,
        details=op.input,
        **kwargs,
    )


@shared_task(name="panel.operations.tasks.sweep_operations", ignore_result=True)
def sweep_operations() -> int:
    """Pick up operations whose worker died; returns how many were looked at."""
    now = timezone.now()
    count = 0
    for op in Operation.objects.filter(status=Status.QUEUED, created_at__lt=now - QUEUED_TOO_LONG):
        run_operation.apply_async((op.pk,))  # nothing was sent yet; the claim is atomic
        count += 1
    stale = Operation.objects.filter(
        Q(heartbeat_at__lt=now - STALE_AFTER) | Q(heartbeat_at__isnull=True),
        status__in=(Status.RUNNING, Status.UNKNOWN),
    )
    for op in stale:
        count += 1
        if op.sent_at is None:
            # The language of the request that started it is not kept: the panel's.
            with translation.override(settings.LANGUAGE_CODE):
                error = _(
                    "The background job stopped before anything was sent to the server. "
                    "Nothing changed; you can start it again."
                )
                _finish(op, Status.FAILED, error=error)
        else:
            _update(op, heartbeat_at=now)  # one follow at a time, not one per sweep
            _follow_later(op, 0)
    return count


@shared_task(name="panel.operations.tasks.wipe_root_passwords", ignore_result=True)
def wipe_root_passwords() -> int:
    """Erase root passwords nobody revealed within 24 hours; returns how many."""
    now = timezone.now()
    return Operation.objects.filter(
        created_at__lt=now - PASSWORD_KEPT, root_password_encrypted__gt=""
    ).update(root_password_encrypted="", password_wiped_at=now)


@shared_task(name="panel.operations.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    cache.set(WORKERS_ALIVE_KEY, timezone.now().isoformat(), timeout=HEARTBEAT_TTL)


@worker_ready.connect
def _worker_started(**kwargs) -> None:
    # A worker that just started takes jobs at once, before beat's next heartbeat.
    try:
        heartbeat()
    except locks.UNAVAILABLE as error:  # starting the worker matters more
        logger.warning("could not record the worker's start: %r", error)
