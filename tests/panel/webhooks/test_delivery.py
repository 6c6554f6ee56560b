"""Delivering one message: signed per Standard Webhooks (checked by the standardwebhooks
package, as a receiver would), retried with backoff, 410 disabling the endpoint, private
addresses refused, redirects not followed, secrets nowhere but in the signature.

Attempts run here by hand (tasks.attempt), with the clock moved by time-machine between
them; test_worker.py delivers through a real Celery worker."""

from __future__ import annotations

import json
import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from standardwebhooks import Webhook, WebhookVerificationError

from panel.audit.models import AuditEntry
from panel.core import events
from panel.webhooks import services, tasks, transport
from panel.webhooks.models import Delivery

from .conftest import make_endpoint

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def announce_suspended(capture, customer_id=None):
    with capture(execute=True):
        events.announce(
            "customer.suspended",
            {"customer": {"id": 7, "name": "Fjord Bakery", "external_ref": "C-100"}},
            customer_id=customer_id,
        )


def verify(secret, received):
    return Webhook(secret).verify(received.body, received.headers)


def test_a_delivery_is_signed_as_standard_webhooks_says(
    db, receiver, allow_private, sent, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url)
    with time_machine.travel(T0, tick=False):
        announce_suspended(django_capture_on_commit_callbacks)
        delivery = Delivery.objects.get()
        assert sent == [(delivery.pk, 0)]  # the task gets the id, nothing else
        tasks.attempt(delivery.pk)
        (request,) = receiver.received
        payload = verify(endpoint.plain_secret, request)
    assert payload == {
        "type": "customer.suspended",
        "timestamp": "2026-03-02T09:00:00Z",
        "data": {
            "customer_id": None,
            "customer": {"id": 7, "name": "Fjord Bakery", "external_ref": "C-100"},
        },
    }
    assert request.headers["webhook-id"] == delivery.message_id
    assert request.headers["webhook-timestamp"] == str(int(T0.timestamp()))
    assert request.headers["webhook-signature"].startswith("v1,")
    assert request.headers["Content-Type"] == "application/json"
    assert request.path == "/hooks"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.status_code, delivery.attempts) == ("delivered", 200, 1)
    assert delivery.delivered_at == T0
    # Another secret, or a body changed on the way, does not verify.
    with time_machine.travel(T0, tick=False), pytest.raises(WebhookVerificationError):
        Webhook(transport.new_secret()).verify(request.body, request.headers)
    with time_machine.travel(T0, tick=False), pytest.raises(WebhookVerificationError):
        Webhook(endpoint.plain_secret).verify(request.body + b" ", request.headers)


def test_a_receiver_that_fails_twice_gets_it_on_the_third_attempt(
    db, receiver, allow_private, sent, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url)
    receiver.answers = [500, 503]
    with time_machine.travel(T0, tick=False) as clock:
        announce_suspended(django_capture_on_commit_callbacks)
        delivery = Delivery.objects.get()
        tasks.attempt(delivery.pk)
        verify(endpoint.plain_secret, receiver.received[0])
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.status_code) == ("pending", 1, 500)
        assert delivery.error == "It answered 500 Internal Server Error."
        wait = (delivery.next_attempt_at - T0).total_seconds()
        assert 48 <= wait <= 60  # one minute, less up to 20 % jitter
        assert sent[-1] == (delivery.pk, pytest.approx(wait))

        tasks.attempt(delivery.pk)  # early (a duplicate task): nothing happens
        assert len(receiver.received) == 1

        clock.shift(61)
        tasks.attempt(delivery.pk)
        verify(endpoint.plain_secret, receiver.received[1])
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.status_code) == ("pending", 2, 503)
        wait = (delivery.next_attempt_at - datetime.now(UTC)).total_seconds()
        assert 240 <= wait <= 300

        clock.shift(301)
        tasks.attempt(delivery.pk)
        verify(endpoint.plain_secret, receiver.received[2])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.status_code) == ("delivered", 3, 200)
    assert delivery.error == "" and delivery.next_attempt_at is None
    # One message: the same webhook-id on every attempt, each with its own timestamp.
    ids = {request.headers["webhook-id"] for request in receiver.received}
    assert ids == {delivery.message_id}
    assert len({request.headers["webhook-timestamp"] for request in receiver.received}) == 3


def test_retries_back_off_over_about_a_day():
    # 1 min, 5 min, 25 min, a little over 2 h, then 8 h: each less up to 20 % jitter.
    planned = [60, 300, 1500, 7500, 8 * 3600, 8 * 3600, 8 * 3600]
    waits = [tasks.retry_delay(attempts) for attempts in range(1, tasks.MAX_ATTEMPTS)]
    assert all(0.8 * plan <= wait <= plan for wait, plan in zip(waits, planned, strict=True))
    assert 20 * 3600 <= sum(waits) <= 27 * 3600


def test_the_last_attempt_gives_up(db, receiver, allow_private, sent):
    endpoint = make_endpoint(receiver.url)
    receiver.answers = [500]
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        message_id="msg_1",
        event_type="server.renamed",
        payload="{}",
        attempts=tasks.MAX_ATTEMPTS - 1,
        next_attempt_at=T0,
    )
    tasks.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", tasks.MAX_ATTEMPTS)
    assert delivery.error == "It answered 500 Internal Server Error. Gave up after 8 attempts."
    assert sent == []  # nothing more queued


def test_410_gone_disables_the_endpoint(
    db, receiver, allow_private, sent, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(receiver.url)
    receiver.answers = [410]
    with time_machine.travel(T0, tick=False):
        announce_suspended(django_capture_on_commit_callbacks)
        tasks.attempt(Delivery.objects.get().pk)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.status_code) == ("failed", 410)
    assert delivery.error == "It answered 410 Gone: not sent again."
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_reason.startswith("It answered 410 Gone on ")
    entry = AuditEntry.objects.get(action="webhook.disable")
    assert entry.actor_kind == "system" and entry.details["url"] == receiver.url
    # Nothing more goes to it: new events make no delivery, and a waiting one fails.
    announce_suspended(django_capture_on_commit_callbacks)
    assert Delivery.objects.count() == 1
    waiting = Delivery.objects.create(
        endpoint=endpoint, message_id="msg_2", event_type="x", payload="{}", next_attempt_at=T0
    )
    tasks.attempt(waiting.pk)
    waiting.refresh_from_db()
    assert waiting.status == "failed" and waiting.error == "Not sent: the endpoint is disabled."
    assert len(receiver.received) == 1


def test_a_redirect_is_not_followed(db, receiver, allow_private, sent):
    endpoint = make_endpoint(receiver.url)
    receiver.answers = [(302, {"Location": receiver.url + "/elsewhere"})]
    delivery = Delivery.objects.create(
        endpoint=endpoint, message_id="msg_1", event_type="x", payload="{}", next_attempt_at=T0
    )
    tasks.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.status_code) == ("pending", 302)
    assert delivery.error == "It answered 302 with a redirect, which the panel does not follow."
    assert [request.path for request in receiver.received] == ["/hooks"]


def test_no_answer_within_the_timeout_is_tried_again(
    db, receiver, allow_private, sent, monkeypatch
):
    monkeypatch.setattr(transport, "TIMEOUT", 1)
    receiver.delay = 1.3
    endpoint = make_endpoint(receiver.url)
    delivery = Delivery.objects.create(
        endpoint=endpoint, message_id="msg_1", event_type="x", payload="{}", next_attempt_at=T0
    )
    tasks.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.status_code is None
    assert delivery.error == "No answer within 1 seconds."  # the real one: 10 seconds


def test_a_closed_port_is_tried_again_in_plain_words(db, allow_private, sent):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = make_endpoint(f"http://127.0.0.1:{port}/")
    delivery = Delivery.objects.create(
        endpoint=endpoint, message_id="msg_1", event_type="x", payload="{}", next_attempt_at=T0
    )
    tasks.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.error == "Nothing answered at that address (the connection failed)."


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "[::ffff:10.0.0.1]"])
def test_private_addresses_are_refused_without_the_setting(db, receiver, sent, host):
    port = receiver.url.split(":")[-1].split("/")[0]
    endpoint = make_endpoint(f"http://{host}:{port}/hooks")
    delivery = Delivery.objects.create(
        endpoint=endpoint, message_id="msg_1", event_type="x", payload="{}", next_attempt_at=T0
    )
    tasks.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert "is a private, local or reserved address" in delivery.error
    assert "the panel does not send webhooks there." in delivery.error
    assert receiver.received == []


def fake_dns(monkeypatch, names: dict):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return [
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
                for address in names[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_host_name_with_any_private_address_is_refused(db, receiver, sent, monkeypatch):
    fake_dns(monkeypatch, {"hooks.example.net": ["93.184.216.34", "127.0.0.1"]})
    endpoint = make_endpoint("http://hooks.example.net/hooks")
    delivery = Delivery.objects.create(
        endpoint=endpoint, message_id="msg_1", event_type="x", payload="{}", next_attempt_at=T0
    )
    tasks.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert "(127.0.0.1)" in delivery.error and receiver.received == []


def test_the_request_goes_to_the_address_that_was_checked(
    db, receiver, allow_private, sent, monkeypatch
):
    """The host name is resolved once, by the check; the connection is made to that
    address, with the name in the Host header: no second DNS answer can redirect it."""
    port = receiver.url.split(":")[-1].split("/")[0]
    resolved = []
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        resolved.append(host)
        return real("127.0.0.1" if host == "hooks.example.net" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    endpoint = make_endpoint(f"http://hooks.example.net:{port}/hooks?x=1")
    delivery = Delivery.objects.create(
        endpoint=endpoint, message_id="msg_1", event_type="x", payload="{}", next_attempt_at=T0
    )
    tasks.attempt(delivery.pk)
    assert resolved.count("hooks.example.net") == 1
    (request,) = receiver.received
    assert request.headers["Host"] == f"hooks.example.net:{port}"
    assert request.path == "/hooks?x=1"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata: link-local
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),  # noqa: S104 - an address to check, not to bind
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),
        ("240.0.0.1", False),  # reserved
    ],
)
def test_which_addresses_are_public(address, public):
    assert transport.is_public(address) is public


def test_a_rotated_secret_signs_beside_the_new_one_for_a_day(
    db, alice, receiver, allow_private, sent
):
    from panel.core.actors import Actor

    endpoint = make_endpoint(receiver.url)
    old = endpoint.plain_secret
    with time_machine.travel(T0, tick=False) as clock:
        services.rotate_secret(endpoint, actor=Actor.person(alice))
        new = endpoint.secret
        assert new != old and new.startswith("whsec_")
        for answer in range(2):
            delivery = Delivery.objects.create(
                endpoint=endpoint,
                message_id=f"msg_{answer}",
                event_type="x",
                payload='{"a":1}',
                next_attempt_at=T0,
            )
            tasks.attempt(delivery.pk)
            request = receiver.received[-1]
            signatures = request.headers["webhook-signature"].split(" ")
            if answer == 0:
                # Two signatures, one per secret: receivers with either one accept it.
                assert len(signatures) == 2
                assert verify(old, request) == {"a": 1}
                assert verify(new, request) == {"a": 1}
                clock.shift(timedelta(hours=24, seconds=1))
            else:
                assert len(signatures) == 1
                assert verify(new, request) == {"a": 1}
                with pytest.raises(WebhookVerificationError):
                    verify(old, request)


def test_no_secret_in_the_payload_the_task_the_logs_or_the_audit_log(
    db, alice, receiver, allow_private, sent, caplog, django_capture_on_commit_callbacks
):
    from panel.core.actors import Actor

    caplog.set_level(logging.DEBUG)
    endpoint = make_endpoint(receiver.url)
    actor = Actor.person(alice)
    services.rotate_secret(endpoint, actor=actor)
    secrets = [endpoint.secret, endpoint.plain_secret]
    receiver.answers = [500]
    with time_machine.travel(T0, tick=False) as clock:
        announce_suspended(django_capture_on_commit_callbacks)
        delivery = Delivery.objects.get()
        tasks.attempt(delivery.pk)
        clock.shift(61)
        tasks.attempt(delivery.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.resend(Delivery.objects.get(), actor=actor)
        services.send_test(endpoint, actor=actor)
    services.update(
        endpoint,
        actor=actor,
        url=receiver.url,
        description="x",
        events=["user.joined"],
        enabled=False,
    )
    stored = [
        *Delivery.objects.values_list("payload", "error"),
        *AuditEntry.objects.values_list("details", "message"),
        sent,
        caplog.text,
    ]
    for secret in secrets:
        body = secret.removeprefix("whsec_")
        assert body not in json.dumps(stored, default=str)
        assert all(body.encode() not in request.body for request in receiver.received)
    assert all(len(args) == 2 and isinstance(args[0], int) for args in sent)  # (id, countdown)


def test_the_sweep_queues_deliveries_whose_task_was_lost(db, receiver, sent):
    endpoint = make_endpoint(receiver.url)

    def delivery(**fields):
        return Delivery.objects.create(
            endpoint=endpoint, message_id="m", event_type="x", payload="{}", **fields
        )

    with time_machine.travel(T0, tick=False):
        never_queued = delivery(next_attempt_at=T0 - timedelta(minutes=5))
        worker_died = delivery(status="sending", last_attempt_at=T0 - timedelta(minutes=3))
        just_due = delivery(next_attempt_at=T0)  # its own task is about to run
        later = delivery(next_attempt_at=T0 + timedelta(hours=3))
        delivery(status="delivered", next_attempt_at=None)
        assert tasks.sweep_deliveries() == 2
    assert sorted(pk for pk, _ in sent) == sorted([never_queued.pk, worker_died.pk])
    worker_died.refresh_from_db()
    assert worker_died.status == "pending"
    assert just_due.pk not in [pk for pk, _ in sent] and later.pk not in [pk for pk, _ in sent]


def test_long_waits_are_left_to_the_sweep(db, receiver, allow_private, sent):
    endpoint = make_endpoint(receiver.url)
    receiver.answers = [500]
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        message_id="m",
        event_type="x",
        payload="{}",
        attempts=3,  # the fourth attempt: about two hours to wait
        next_attempt_at=T0,
    )
    tasks.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "pending" and sent == []


def test_old_deliveries_are_pruned(db, receiver):
    endpoint = make_endpoint(receiver.url)
    with time_machine.travel(T0, tick=False):
        old = Delivery.objects.create(
            endpoint=endpoint,
            message_id="m",
            event_type="x",
            payload="{}",
            status="delivered",
            created_at=T0 - timedelta(days=31),
        )
        recent = Delivery.objects.create(
            endpoint=endpoint, message_id="m", event_type="x", payload="{}", status="failed"
        )
        assert tasks.prune_deliveries() == 1
    assert list(Delivery.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Delivery.objects.filter(pk=old.pk).exists()
