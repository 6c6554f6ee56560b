"""With a real Celery worker on the real Redis: a rename on the server page reaches the
receiver as a signed server.renamed message, through the commit, the queue and the worker;
the other customer's endpoint hears nothing."""

from __future__ import annotations

import uuid

from django.urls import reverse
from standardwebhooks import Webhook

from panel.webhooks.models import Delivery

from ..conftest import log_in, wait_for
from .conftest import make_endpoint


def test_a_rename_is_delivered_by_the_worker(
    worker, client, alice, servers, fjord, nordlys, receiver, allow_private
):
    bakery = make_endpoint(receiver.url, customer=fjord, events=["server.renamed"])
    make_endpoint(receiver.url + "/nordlys", customer=nordlys)
    row = servers[0]
    log_in(client, alice)
    response = client.post(
        reverse("servers:rename", args=[row.pk]),
        {"name": "bakery-shop", "idempotency_key": uuid.uuid4().hex},
    )
    assert response.status_code in (200, 302)
    wait_for(lambda: receiver.received, timeout=20, what="the message to arrive")
    (request,) = receiver.received
    payload = Webhook(bakery.plain_secret).verify(request.body, request.headers)
    assert payload["type"] == "server.renamed"
    assert payload["data"]["server"] == {"id": row.pk, "srv_id": row.srv_id, "name": "bakery-shop"}
    assert payload["data"]["customer_id"] == fjord.pk
    delivery = wait_for(
        lambda: Delivery.objects.filter(status="delivered").first(), what="the delivery to settle"
    )
    assert (delivery.endpoint_id, delivery.attempts, delivery.status_code) == (bakery.pk, 1, 200)
    assert Delivery.objects.count() == 1
