"""What can be done to webhook endpoints, by the pages and the API alike.

    endpoints_for(user)                      the endpoints a user manages (else 403)
    get_endpoint_for_user(user, pk)          one of them (else 404)
    endpoints_of(actor)                      endpoints_for, for an actor (API tokens too)
    for_the_panel(actor)                     whether it manages every endpoint
    create(actor, url=, description=, events=, customer=)
    update(endpoint, actor, url=, description=, events=, enabled=)
    delete(endpoint, actor)
    rotate_secret(endpoint, actor)           the previous secret signs for 24 hours more
    resend(delivery, actor)                  the same message (same webhook-id) again
    send_test(endpoint, actor)               a "webhook.test" message to this endpoint

Panel admins manage every endpoint: reseller-wide ones (every event) and customers', and
so do application tokens, which act as the panel (panel.core.actors).
A customer's admins manage their own customer's endpoints only; another customer's (or a
reseller-wide) endpoint does not exist for them. Every change is audited; the secret never
is (nor is it logged).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from panel.audit.log import record
from panel.core import crypto
from panel.core.actors import Actor
from panel.core.events import EVENTS
from panel.core.ids import parse_id
from panel.core.outcomes import Outcome, refused
from panel.grants.access import is_customer_admin, is_panel_admin

from .dispatch import body
from .models import Delivery, Endpoint
from .tasks import queue
from .transport import new_message_id, new_secret

# How long a rotated secret keeps signing beside the new one.
PREVIOUS_SECRET_KEPT = timedelta(hours=24)
TEST_EVENT = "webhook.test"


def may_manage(user) -> bool:
    return is_panel_admin(user) or is_customer_admin(user)


def endpoints_for(user):
    if is_panel_admin(user):
        return Endpoint.objects.select_related("customer")
    if is_customer_admin(user):
        return Endpoint.objects.filter(customer_id=user.customer_id).select_related("customer")
    raise PermissionDenied("Only panel and customer admins manage webhooks.")


def get_endpoint_for_user(user, pk) -> Endpoint:
    number = parse_id(pk)
    endpoint = endpoints_for(user).filter(pk=number).first() if number is not None else None
    if endpoint is None:
        raise Http404("No such webhook endpoint.")
    return endpoint


def for_the_panel(actor: Actor) -> bool:
    """A panel admin (in person or by their token), or an application token."""
    token = actor.token
    return is_panel_admin(actor.user) or (token is not None and token.is_application)


def endpoints_of(actor: Actor):
    """The endpoints `actor` manages (else 403), as endpoints_for."""
    if for_the_panel(actor):
        return Endpoint.objects.select_related("customer")
    return endpoints_for(actor.user)


def _check_scope(actor: Actor, customer) -> None:
    """A customer's admin makes endpoints of their own customer only."""
    user = actor.user
    if for_the_panel(actor):
        return
    if not is_customer_admin(user) or customer is None or customer.pk != user.customer_id:
        raise PermissionDenied("A customer's admin manages their own customer's webhooks only.")


def _facts(endpoint: Endpoint) -> dict:
    """What the audit log keeps of an endpoint (never its secret)."""
    return {
        "url": endpoint.url,
        "events": ", ".join(endpoint.events),
        "customer": endpoint.customer.name if endpoint.customer_id else "",
    }


def _events(events) -> list[str]:
    unknown = set(events) - set(EVENTS)
    if unknown:
        raise ValueError(f"Unknown event types: {sorted(unknown)}")
    return [event for event in EVENTS if event in events]  # in the catalogue's order


def create(*, actor: Actor, url: str, description: str, events, customer=None) -> Endpoint:
    _check_scope(actor, customer)
    endpoint = Endpoint.objects.create(
        url=url,
        description=description,
        events=_events(events),
        customer=customer,
        secret_encrypted=crypto.encrypt(new_secret()),
        created_by=actor.user,
    )
    record("webhook.create", actor=actor, details=_facts(endpoint))
    return endpoint


def update(
    endpoint: Endpoint, *, actor: Actor, url: str, description: str, events, enabled: bool
) -> list[str]:
    """Save what changed; returns the names of the changed fields (audited)."""
    _check_scope(actor, endpoint.customer)
    values = {"url": url, "description": description, "events": _events(events), "enabled": enabled}
    changed = [name for name, value in values.items() if getattr(endpoint, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(endpoint, name, values[name])
    if "enabled" in changed:
        endpoint.disabled_reason = (
            "" if enabled else _("Turned off by %(name)s.") % {"name": actor.name}
        )
        changed.append("disabled_reason")
    endpoint.save(update_fields=changed)
    shown = [name for name in changed if name != "disabled_reason"]
    record("webhook.update", actor=actor, details={**_facts(endpoint), "changed": ", ".join(shown)})
    return shown


def delete(endpoint: Endpoint, *, actor: Actor) -> None:
    _check_scope(actor, endpoint.customer)
    record("webhook.delete", actor=actor, details=_facts(endpoint))
    endpoint.delete()


def rotate_secret(endpoint: Endpoint, *, actor: Actor) -> None:
    """A new secret signs from now on; the current one keeps signing beside it for
    PREVIOUS_SECRET_KEPT, so receivers can switch without losing a message."""
    _check_scope(actor, endpoint.customer)
    with transaction.atomic():
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret_encrypted = locked.secret_encrypted
        locked.previous_secret_until = timezone.now() + PREVIOUS_SECRET_KEPT
        locked.secret_encrypted = crypto.encrypt(new_secret())
        locked.save(
            update_fields=["previous_secret_encrypted", "previous_secret_until", "secret_encrypted"]
        )
    endpoint.refresh_from_db()
    record("webhook.rotate_secret", actor=actor, details=_facts(endpoint))


def _queue_after_commit(delivery: Delivery) -> None:
    transaction.on_commit(lambda: queue(delivery), robust=True)


def resend(delivery: Delivery, *, actor: Actor) -> Outcome:
    """The delivery's message once more, as a new delivery (same webhook-id and body)."""
    endpoint = delivery.endpoint
    _check_scope(actor, endpoint.customer)
    if not endpoint.enabled:
        return refused(_("This endpoint is turned off: turn it on first."))
    if not delivery.is_final:
        return refused(_("This message is still being delivered."))
    again = Delivery.objects.create(
        endpoint=endpoint,
        message_id=delivery.message_id,
        event_type=delivery.event_type,
        payload=delivery.payload,
        next_attempt_at=timezone.now(),
    )
    _queue_after_commit(again)
    record(
        "webhook.resend",
        actor=actor,
        details={**_facts(endpoint), "event": delivery.event_type, "message": delivery.message_id},
    )
    return Outcome(True, _("The message is being sent again."), data={"delivery": again.pk})


def send_test(endpoint: Endpoint, *, actor: Actor) -> Outcome:
    """A test message to this endpoint, whatever events it chose."""
    _check_scope(actor, endpoint.customer)
    if not endpoint.enabled:
        return refused(_("This endpoint is turned off: turn it on first."))
    now = timezone.now()
    data = {"customer_id": endpoint.customer_id, "endpoint_id": endpoint.pk}
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        message_id=new_message_id(),
        event_type=TEST_EVENT,
        payload=body(TEST_EVENT, data, now),
        next_attempt_at=now,
    )
    _queue_after_commit(delivery)
    record("webhook.test", actor=actor, details=_facts(endpoint))
    return Outcome(True, _("A test message is on its way."), data={"delivery": delivery.pk})


def rotate_secrets() -> tuple[int, int]:
    """Re-encrypt the stored secrets with the first key: (endpoints rotated, unreadable)."""
    rotated = unreadable = 0
    stored = Endpoint.objects.values_list("pk", "secret_encrypted", "previous_secret_encrypted")
    for pk, secret, previous in stored:
        try:
            fresh = {
                "secret_encrypted": crypto.rotate(secret),
                "previous_secret_encrypted": crypto.rotate(previous),
            }
        except crypto.DecryptionError:
            unreadable += 1
            continue
        # Conditional: a secret rotated meanwhile is not overwritten with the old one.
        rotated += Endpoint.objects.filter(
            pk=pk, secret_encrypted=secret, previous_secret_encrypted=previous
        ).update(**fresh)
    return rotated, unreadable
