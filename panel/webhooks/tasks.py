"""The Celery side of webhooks. Tasks take a delivery id, never a secret: the secret is
decrypted in the worker, for the one request that it signs.

deliver           one attempt: claims the delivery (a redelivered task does nothing),
                  signs and sends it. A 2xx answer delivers it; 410 Gone fails it and
                  disables the endpoint; anything else (no answer, a redirect, another
                  status) is tried again later, up to MAX_ATTEMPTS over about a day.
sweep_deliveries  beat: deliveries whose task was lost (never queued, a worker gone
                  mid-send, a retry waiting longer than a task should) are queued again.
prune_deliveries  beat: the delivery log keeps KEPT_FOR.

What these tasks write for people (errors, the reason an endpoint was disabled) is in the
panel's default language (settings.LANGUAGE_CODE).
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

from panel.audit.log import record
from panel.core import crypto
from panel.core.actors import Actor, ActorKind
from panel.core.templatetags.panel import when

from . import transport
from .models import Delivery, Endpoint

logger = logging.getLogger(__name__)

Status = Delivery.Status

# Attempt n failed: the next one follows FIRST_RETRY * FACTOR ** (n - 1) seconds later, at
# most LONGEST, less up to 20 % jitter: 1 min, 5 min, 25 min, 2 h, then every 8 h; the
# eighth attempt comes about a day after the first.
MAX_ATTEMPTS = 8
FIRST_RETRY = 60
FACTOR = 5
LONGEST = 8 * 3600
# A retry due within this long is queued with a countdown; a later one is left to the
# sweep (a task a worker holds for hours is lost if that worker goes).
QUEUE_WITHIN = 1800
# A delivery still "sending" this long after its attempt began lost its worker.
SENDING_STALE = timedelta(minutes=2)
# A delivery due this long ago has no task coming: the sweep queues it.
OVERDUE = timedelta(seconds=60)
KEPT_FOR = timedelta(days=30)


def retry_delay(attempts: int) -> float:
    """Seconds to wait after `attempts` failed attempts."""
    delay = min(LONGEST, FIRST_RETRY * FACTOR ** (attempts - 1))
    return delay * random.uniform(0.8, 1.0)


def queue(delivery: Delivery, countdown: float = 0) -> None:
    """Queue one attempt; if the queue cannot be reached, the sweep queues it later."""
    try:
        deliver.apply_async((delivery.pk,), countdown=countdown, retry=False)
    except (KombuError, RedisError, OSError) as error:
        logger.warning("webhook delivery %s not queued (the sweep will): %r", delivery.pk, error)


@shared_task(name="panel.webhooks.tasks.deliver", acks_late=True, time_limit=60, soft_time_limit=45)
def deliver(delivery_id: int) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        attempt(delivery_id)


def attempt(delivery_id: int) -> None:
    now = timezone.now()
    waiting = Delivery.objects.filter(
        pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now
    )
    if waiting.filter(endpoint__enabled=False).update(
        status=Status.FAILED, next_attempt_at=None, error=_("Not sent: the endpoint is disabled.")
    ):
        return
    claimed = waiting.update(
        status=Status.SENDING, attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=None
    )
    if not claimed:
        return  # sent already (a redelivered task, the sweep), not due yet, or gone
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    try:
        secrets = endpoint.signing_secrets()
    except crypto.DecryptionError:
        _finish(
            delivery,
            error=_(
                "Not sent: the signing secret cannot be decrypted with the panel's keys. "
                "Rotate the secret."
            ),
        )
        return
    headers = transport.signed_headers(delivery.message_id, delivery.payload, secrets, now)
    try:
        answer = transport.post(endpoint.url, delivery.payload, headers)
    except transport.Failed as failed:
        _try_again(delivery, failed.reason)
        return
    code = answer.status_code
    if 200 <= code < 300:
        _finish(delivery, Status.DELIVERED, status_code=code, delivered_at=timezone.now())
    elif code == 410:
        _finish(delivery, status_code=code, error=_("It answered 410 Gone: not sent again."))
        _disable(endpoint, _("It answered 410 Gone on %(time)s.") % {"time": when(now)})
    elif 300 <= code < 400:
        reason = _("It answered %(code)d with a redirect, which the panel does not follow.") % {
            "code": code
        }
        _try_again(delivery, reason, status_code=code)
    elif answer.reason:
        reason = _("It answered %(code)d %(reason)s.") % {"code": code, "reason": answer.reason}
        _try_again(delivery, reason, status_code=code)
    else:
        _try_again(delivery, _("It answered %(code)d.") % {"code": code}, status_code=code)


def _finish(delivery: Delivery, status: str = Status.FAILED, **fields) -> None:
    fields.setdefault("error", "")
    Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(status=status, **fields)


def _try_again(delivery: Delivery, reason: str, status_code: int | None = None) -> None:
    if delivery.attempts >= MAX_ATTEMPTS:
        gave_up = ngettext(
            "Gave up after %(count)d attempt.",
            "Gave up after %(count)d attempts.",
            delivery.attempts,
        ) % {"count": delivery.attempts}
        _finish(delivery, status_code=status_code, error=f"{reason} {gave_up}"[:300])
        return
    delay = retry_delay(delivery.attempts)
    Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        status=Status.PENDING,
        status_code=status_code,
        error=reason[:300],
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    if delay <= QUEUE_WITHIN:
        queue(delivery, countdown=delay)


def _disable(endpoint: Endpoint, reason: str) -> None:
    if Endpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_reason=reason
    ):
        record(
            "webhook.disable",
            actor=Actor(ActorKind.SYSTEM),
            message=reason,
            details={"url": endpoint.url, "customer": _customer_name(endpoint)},
        )


def _customer_name(endpoint: Endpoint) -> str:
    return endpoint.customer.name if endpoint.customer_id else ""


@shared_task(name="panel.webhooks.tasks.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> int:
    """Queue deliveries whose task was lost; returns how many."""
    now = timezone.now()
    # The request may or may not have gone out: it goes again (receivers tell a repeat by
    # its webhook-id).
    Delivery.objects.filter(status=Status.SENDING, last_attempt_at__lt=now - SENDING_STALE).update(
        status=Status.PENDING, next_attempt_at=now - OVERDUE
    )
    overdue = Delivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now - OVERDUE)
    count = 0
    for delivery in overdue.only("pk"):
        queue(delivery)
        count += 1
    return count


@shared_task(name="panel.webhooks.tasks.prune_deliveries", ignore_result=True)
def prune_deliveries() -> int:
    cutoff = timezone.now() - KEPT_FOR
    deleted, _per_model = (
        Delivery.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=(Status.PENDING, Status.SENDING))
        .delete()
    )
    return deleted
