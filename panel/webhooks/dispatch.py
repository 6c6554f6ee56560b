"""From an announced event (panel.core.events) to deliveries: one per endpoint that chose
the event and may hear of it, each queued for the `deliver` task.

A reseller-wide endpoint hears every event; a customer's endpoint only the events about
that customer (its servers, its people, itself). A customer's endpoint gets the body
white-labelled unless the customer's brand shows the provider: a server still called by
the provider's label is named as the panel names it for them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.db.models import Q

from panel.branding.services import brand_for_customer, default_brand
from panel.core.scrub import scrub

from .models import Delivery, Endpoint
from .tasks import queue
from .transport import new_message_id


def body(type: str, data: dict, at: datetime) -> str:
    """The JSON body of a message, as it is signed and sent."""
    timestamp = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return json.dumps({"type": type, "timestamp": timestamp, "data": data}, separators=(",", ":"))


def _white_labelled(customer) -> bool:
    return not (brand_for_customer(customer) or default_brand()).show_provider


def fan_out(sender, *, type: str, data: dict, customer_id: int | None, at, **kwargs) -> list:
    """The `event` signal's receiver: a delivery per endpoint that hears this event."""
    scope = Q(customer__isnull=True)
    if customer_id is not None:
        scope |= Q(customer_id=customer_id)
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(scope, enabled=True).select_related("customer")
        if type in endpoint.events
    ]
    if not endpoints:
        return []
    text = body(type, data, at)
    message_id = new_message_id()  # one event, one id, whichever endpoint gets it
    deliveries = [
        Delivery(
            endpoint=endpoint,
            message_id=message_id,
            event_type=type,
            payload=scrub(text)
            if endpoint.customer and _white_labelled(endpoint.customer)
            else text,
            next_attempt_at=at,
        )
        for endpoint in endpoints
    ]
    created = Delivery.objects.bulk_create(deliveries)
    for delivery in created:
        queue(delivery)
    return created
