"""Webhooks through the API: the pages' access rules (application tokens and panel admins
every endpoint, a customer's admins their own customer's, others' a 404, anyone else 403),
the secret shown in the answers that make one and never replayed, deliveries and resending,
errors in plain words. Scope rows: tests/panel/api/test_scopes.py covers these endpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from standardwebhooks import Webhook

from panel.accounts.models import User
from panel.audit.models import AuditEntry
from panel.webhooks import tasks
from panel.webhooks.models import Delivery, Endpoint

from ..conftest import PASSWORD
from ..webhooks import conftest as hooks
from .conftest import make_token

PROBLEM = "application/problem+json"
URL = "https://hooks.example.org/billing"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# The webhook tests' receiver (a real HTTP server on loopback) and customers.
receiver, sent, allow_private = hooks.receiver, hooks.sent, hooks.allow_private
fjord, nordlys = hooks.fjord, hooks.nordlys


@pytest.fixture
def dag(fjord):
    """Fjord's customer admin."""
    return User.objects.create_user(
        "dag", "dag@example.org", PASSWORD, customer=fjord, customer_role="admin"
    )


@pytest.fixture
def dag_api(api, dag):
    return api(make_token(dag, scopes=["webhooks:write"], name="dag's"))


@pytest.fixture
def endpoints(fjord, nordlys):
    """One endpoint each: the whole panel's, Fjord's and Nordlys's."""
    return {
        "panel": hooks.make_endpoint("https://hooks.example.org/panel"),
        "fjord": hooks.make_endpoint("https://hooks.example.org/fjord", customer=fjord),
        "nordlys": hooks.make_endpoint("https://hooks.example.org/nordlys", customer=nordlys),
    }


def delivered(endpoint, status=Delivery.Status.DELIVERED) -> Delivery:
    return Delivery.objects.create(
        endpoint=endpoint,
        message_id="msg_first",
        event_type="server.renamed",
        payload='{"type":"server.renamed"}',
        status=status,
        attempts=1,
        status_code=200 if status == Delivery.Status.DELIVERED else 500,
    )


def add(api, key=None, **data):
    body = {"url": URL, "events": ["server.renamed"], "description": "Billing", **data}
    return api.post("/api/v1/webhooks/", body, key=key)


def test_an_application_token_adds_an_endpoint_whose_secret_verifies_its_messages(
    app_api, servers, receiver, allow_private, sent, django_capture_on_commit_callbacks
):
    answer = add(app_api, url=receiver.url)
    assert answer.status_code == 201, answer.content
    assert answer["Cache-Control"] == "no-store"
    created = answer.json()
    endpoint = Endpoint.objects.get()
    assert answer["Location"] == f"/api/v1/webhooks/{endpoint.pk}/"
    assert created["secret"] == endpoint.secret and created["secret"].startswith("whsec_")
    assert (created["url"], created["events"], created["customer"]) == (
        receiver.url,
        ["server.renamed"],
        None,
    )
    assert created["enabled"] is True and endpoint.created_by is None  # the panel's

    # A rename through the API is announced, delivered and verified as a receiver would.
    row = servers[0]
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            renamed = app_api.patch(f"/api/v1/servers/{row.pk}/", {"name": "web-9"})
            assert renamed.status_code == 200
        delivery = Delivery.objects.get()
        assert sent == [(delivery.pk, 0)]
        tasks.attempt(delivery.pk)
        (request,) = receiver.received
        message = Webhook(created["secret"]).verify(request.body, request.headers)
    assert message["type"] == "server.renamed" and message["data"]["server"]["id"] == row.pk

    entry = AuditEntry.objects.get(action="webhook.create")
    assert entry.actor_name == "API token 'test' (application)" and entry.origin == "api"
    assert created["secret"] not in str(entry.details)


def test_reading_an_endpoint_never_shows_its_secret(app_api, endpoints):
    endpoint = endpoints["panel"]
    one = app_api.get(f"/api/v1/webhooks/{endpoint.pk}/")
    listing = app_api.get("/api/v1/webhooks/")
    assert one.status_code == listing.status_code == 200
    assert one["Cache-Control"] == "no-store"
    assert "secret" not in one.json() and endpoint.plain_secret not in listing.text
    assert listing.json()["count"] == 3
    assert [item["url"] for item in listing.json()["results"]] == sorted(
        item.url for item in endpoints.values()
    )


def test_a_replayed_key_makes_no_second_endpoint_and_shows_no_secret(app_api):
    first = add(app_api, key="add-billing")
    assert first.status_code == 201
    again = add(app_api, key="add-billing")
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM
    assert first.json()["secret"] not in again.text
    assert "shown only once" in again.json()["detail"]
    other = add(app_api, key="add-billing", description="Another")
    assert other.status_code == 422
    assert Endpoint.objects.count() == 1


def test_rotating_answers_the_new_secret_once(app_api, endpoints):
    endpoint = endpoints["panel"]
    url = f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/"
    with time_machine.travel(T0, tick=False):
        answer = app_api.post(url, key="rotate-1")
        endpoint.refresh_from_db()
        assert endpoint.signing_secrets() == [answer.json()["secret"], endpoint.plain_secret]
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    assert answer.json()["secret"] == endpoint.secret != endpoint.plain_secret
    until = datetime.fromisoformat(answer.json()["previous_secret_until"])
    assert until == T0 + timedelta(hours=24)
    replay = app_api.post(url, key="rotate-1")
    assert replay.status_code == 409 and endpoint.secret not in replay.text
    endpoint.refresh_from_db()
    assert endpoint.secret == answer.json()["secret"]  # not rotated twice
    assert AuditEntry.objects.filter(action="webhook.rotate_secret").count() == 1


def test_the_delivery_log_and_resend(app_api, endpoints, sent):
    endpoint = endpoints["panel"]
    first = delivered(endpoint, Delivery.Status.FAILED)
    first.error = "The receiver answered 500 Internal Server Error."
    first.save(update_fields=["error"])
    log = app_api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/")
    assert log.status_code == 200
    (item,) = log.json()["results"]
    assert item == {
        "id": first.pk,
        "event": "server.renamed",
        "message_id": "msg_first",
        "status": "failed",
        "attempts": 1,
        "status_code": 500,
        "error": "The receiver answered 500 Internal Server Error.",
        "next_attempt_at": None,
        "last_attempt_at": None,
        "created_at": item["created_at"],
        "delivered_at": None,
    }

    url = f"/api/v1/webhooks/{endpoint.pk}/deliveries/{first.pk}/resend/"
    answer = app_api.post(url, key="resend-1")
    assert answer.status_code == 202, answer.content
    again = Delivery.objects.exclude(pk=first.pk).get()
    assert answer.json()["delivery"]["id"] == again.pk
    assert (again.message_id, again.payload) == (first.message_id, first.payload)
    assert app_api.post(url, key="resend-1").json() == answer.json()  # replayed, not resent
    assert Delivery.objects.count() == 2
    assert AuditEntry.objects.filter(action="webhook.resend").count() == 1

    # The new delivery is still under way: not resent in its turn.
    busy = app_api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{again.pk}/resend/")
    assert busy.status_code == 409 and busy.json()["detail"] == (
        "This message is still being delivered."
    )
    other = delivered(endpoints["fjord"])
    assert (
        app_api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{other.pk}/resend/").status_code
        == 404
    )


def test_a_test_event_and_a_turned_off_endpoint(app_api, endpoints):
    endpoint = endpoints["panel"]
    answer = app_api.post(f"/api/v1/webhooks/{endpoint.pk}/test/")
    assert answer.status_code == 202
    assert answer.json()["message"] == "A test message is on its way."
    assert answer.json()["delivery"]["event"] == "webhook.test"

    changed = app_api.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"enabled": False})
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    assert changed.json()["disabled_reason"] == "Turned off by API token 'test' (application)."
    refused = app_api.post(f"/api/v1/webhooks/{endpoint.pk}/test/")
    assert refused.status_code == 409 and refused["Content-Type"] == PROBLEM
    assert refused.json()["detail"] == "This endpoint is turned off: turn it on first."


def test_a_change_keeps_what_was_not_sent_and_a_deletion_is_audited(app_api, endpoints):
    endpoint = endpoints["fjord"]
    url = f"/api/v1/webhooks/{endpoint.pk}/"
    answer = app_api.patch(url, {"events": ["user.joined", "server.renamed"]})
    assert answer.status_code == 200
    assert answer.json()["events"] == ["server.renamed", "user.joined"]  # the catalogue's order
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.customer.name, endpoint.enabled) == (
        "https://hooks.example.org/fjord",
        "Fjord Bakery",
        True,
    )
    entry = AuditEntry.objects.get(action="webhook.update")
    assert entry.details["changed"] == "events"

    assert app_api.delete(url).status_code == 204
    assert not Endpoint.objects.filter(pk=endpoint.pk).exists()
    assert app_api.get(url).status_code == 404
    assert AuditEntry.objects.get(action="webhook.delete").details["customer"] == "Fjord Bakery"


def test_an_application_token_adds_a_customers_endpoint(app_api, fjord):
    answer = add(app_api, customer=fjord.pk)
    assert answer.status_code == 201 and answer.json()["customer"] == fjord.pk
    unknown = add(app_api, customer=fjord.pk + 100)
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == [
        {"pointer": "#/customer", "detail": "There is no such customer."}
    ]


def test_a_customer_admin_manages_only_their_own_customers_endpoints(
    dag_api, endpoints, fjord, nordlys
):
    listing = dag_api.get("/api/v1/webhooks/").json()
    assert [item["url"] for item in listing["results"]] == ["https://hooks.example.org/fjord"]
    own = endpoints["fjord"]
    assert dag_api.get(f"/api/v1/webhooks/{own.pk}/").status_code == 200
    assert dag_api.post(f"/api/v1/webhooks/{own.pk}/test/").status_code == 202

    # Their own customer's, whether named or not; another customer reads as no customer.
    assert add(dag_api).json()["customer"] == fjord.pk
    assert add(dag_api, customer=fjord.pk).json()["customer"] == fjord.pk
    for customer in (nordlys.pk, fjord.pk + 100):
        refused = add(dag_api, customer=customer)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["detail"] == "There is no such customer."
    assert Endpoint.objects.filter(customer=fjord).count() == 3

    for other in (endpoints["panel"], endpoints["nordlys"]):
        base = f"/api/v1/webhooks/{other.pk}/"
        delivery = delivered(other)
        answers = [
            dag_api.get(base),
            dag_api.patch(base, {"description": "mine now"}),
            dag_api.delete(base),
            dag_api.post(f"{base}rotate-secret/"),
            dag_api.post(f"{base}test/"),
            dag_api.get(f"{base}deliveries/"),
            dag_api.post(f"{base}deliveries/{delivery.pk}/resend/"),
        ]
        assert [answer.status_code for answer in answers] == [404] * 7, other.url
        assert all(answer.json()["detail"] == answers[0].json()["detail"] for answer in answers)
        other.refresh_from_db()
        assert other.description == "" and other.secret == other.plain_secret
    assert Delivery.objects.filter(endpoint__customer__isnull=True).count() == 1


def test_a_panel_admins_token_manages_every_endpoint(api, alice, endpoints, nordlys):
    alice_api = api(make_token(alice, scopes=["webhooks:write"]))
    assert alice_api.get("/api/v1/webhooks/").json()["count"] == 3
    answer = add(alice_api, customer=nordlys.pk)
    assert answer.status_code == 201 and answer.json()["customer"] == nordlys.pk
    assert Endpoint.objects.get(pk=answer.json()["id"]).created_by == alice


def test_anyone_else_is_refused(api, dag, dag_api, endpoints):
    """A customer admin no longer an admin: their token manages no webhooks (403)."""
    dag.customer_role = User.CustomerRole.MEMBER
    dag.save(update_fields=["customer_role"])
    own = endpoints["fjord"]
    for answer in (
        dag_api.get("/api/v1/webhooks/"),
        add(dag_api),
        dag_api.get(f"/api/v1/webhooks/{own.pk}/"),
        dag_api.post(f"/api/v1/webhooks/{own.pk}/rotate-secret/"),
    ):
        assert answer.status_code == 403 and answer["Content-Type"] == PROBLEM
        assert answer.json()["detail"] == (
            "Only the panel's admins and a customer's admins manage webhooks."
        )
    assert Endpoint.objects.count() == 3


@pytest.mark.parametrize(
    ("data", "field", "detail"),
    [
        ({"url": "not a url"}, "url", "Enter a valid URL."),
        ({"url": "ftp://hooks.example.org/x"}, "url", "Enter a valid URL."),
        (
            {"url": "http://127.0.0.1:8080/x"},
            "url",
            "This address is on a private or local network: the panel does not send there.",
        ),
        (
            {"url": "https://10.0.0.5/x"},
            "url",
            "This address is on a private or local network: the panel does not send there.",
        ),
        (
            {"url": "https://user:pw@hooks.example.org/x"},
            "url",
            "Leave the user name and password out of the URL.",
        ),
        (
            {"events": ["server.exploded"]},
            "events",
            "“server.exploded” is not one of the panel's events.",
        ),
        ({"events": []}, "events", "Choose at least one event."),
    ],
)
def test_what_is_refused_is_said_in_plain_words(app_api, data, field, detail):
    answer = add(app_api, **data)
    assert answer.status_code == 400 and answer["Content-Type"] == PROBLEM
    body = answer.json()
    assert body["detail"] == f"Some fields are not valid: {field}."
    assert detail in [error["detail"] for error in body["errors"]]
    assert all(error["pointer"].startswith(f"#/{field}") for error in body["errors"])
    assert not Endpoint.objects.exists()


def test_a_change_is_checked_as_a_new_one_is(app_api, endpoints):
    endpoint = endpoints["panel"]
    answer = app_api.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"url": "http://localhost/x"})
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["pointer"] == "#/url"
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.org/panel"


def test_refusals_are_in_the_requests_language(app_api):
    answer = app_api.post(
        "/api/v1/webhooks/",
        {"url": URL, "events": ["server.exploded"]},
        headers={"Accept-Language": "nb"},
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["detail"] == (
        "«server.exploded» er ikke en av panelets hendelser."
    )
