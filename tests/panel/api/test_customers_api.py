"""What a billing system does through the API, in the order it does it: look the customer
up by its own id (twice: one customer), create it, assign the server, add a person, give
them access, send them in with a one-time sign-in link, suspend on non-payment (with a
power-off through the command path), reactivate, and terminate. Only application tokens
manage customers."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail

from panel.accounts.models import User
from panel.audit.models import AuditEntry
from panel.customers.models import Customer
from panel.grants.access import keys_for
from panel.grants.permissions import PRESETS

from ..conftest import calls
from .conftest import make_token

CUSTOMERS = "/api/v1/customers/"


def _create(app_api, key="create-C-42", **body):
    return app_api.post(CUSTOMERS, {"name": "Fjord Bakery", "external_id": "C-42", **body}, key=key)


def test_look_up_or_create_by_external_id_gives_one_customer(app_api, db):
    assert app_api.get(CUSTOMERS, {"external_id": "C-42"}).json()["count"] == 0
    first = _create(app_api)
    again = _create(app_api)  # WHMCS retries a create that timed out: the same key
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other_key = _create(app_api, key="another")
    assert other_key.status_code == 400
    errors = {error["detail"] for error in other_key.json()["errors"]}
    assert any("external id" in text for text in errors)
    found = app_api.get(CUSTOMERS, {"external_id": "C-42"}).json()
    assert found["count"] == 1 and found["results"][0]["id"] == first.json()["id"]
    assert Customer.objects.count() == 1
    customer = found["results"][0]
    assert customer["status"] == "active" and "upgrade.order" not in customer["ceiling"]
    entry = AuditEntry.objects.get(action="customer.create")
    assert entry.actor_name.startswith("API token 'test'") and entry.origin == "api"


def test_the_whole_billing_flow(app_api, client, servers, sandbox, queued):
    customer = _create(app_api).json()
    url = f"{CUSTOMERS}{customer['id']}/"
    row = servers[0]
    assigned = app_api.post(f"{url}servers/", {"servers": [row.pk]}, key="assign")
    assert [s["id"] for s in assigned.json()] == [row.pk]
    row.refresh_from_db()

    person = app_api.post(
        f"{url}users/",
        {"email": "kari@bakery.example", "name": "Kari Nordmann", "invite": False},
        key="kari",
    )
    assert person.status_code == 201 and person.json()["role"] == "member"
    kari = User.objects.get(pk=person.json()["id"])
    assert kari.customer_id == customer["id"] and not mail.outbox

    grant = app_api.post(
        f"{url}grants/", {"user": kari.pk, "server": row.pk, "preset": "operator"}, key="g"
    )
    assert grant.status_code == 201
    assert keys_for(kari, row) == frozenset(PRESETS["operator"])

    link = app_api.post("/api/v1/sso-links/", {"user": kari.pk, "server": row.pk}, key="l")
    assert link.status_code == 201 and link["Cache-Control"] == "no-store"
    parts = urlsplit(link.json()["url"])
    landed = client.get(parts.path, {"token": parse_qs(parts.query)["token"][0]})
    assert landed["Location"] == f"/servers/{row.pk}/"
    assert int(client.session[SESSION_KEY]) == kari.pk
    replay = app_api.post("/api/v1/sso-links/", {"user": kari.pk, "server": row.pk}, key="l")
    assert replay.status_code == 409  # a sign-in link is never kept for a replay

    suspended = app_api.post(f"{url}suspend/", {"power_off": True}, key="unpaid")
    assert suspended.json()["status"] == "suspended"
    # The power-off went through the command path: one call, one audit entry of the token.
    assert calls(sandbox, "GET /servers/{id}/power/off") == 1
    power_off = AuditEntry.objects.get(action="power.off", server=row)
    assert power_off.origin == "bulk" and power_off.actor_name.startswith("API token")
    assert not keys_for(User.objects.get(pk=kari.pk), row)
    back = app_api.post(f"{url}reactivate/", key="paid")
    assert back.json()["status"] == "active"
    assert keys_for(User.objects.get(pk=kari.pk), row)

    ended = app_api.delete(url, key="terminate")
    assert ended.status_code == 204
    assert not User.objects.filter(pk=kari.pk).exists()
    row.refresh_from_db()
    assert row.customer_id is None
    assert app_api.get(url).status_code == 404


def test_people_and_grants_stay_within_the_customer(app_api, servers):
    fjord = _create(app_api).json()
    nordlys = _create(app_api, key="n", name="Nordlys", external_id="N-1").json()
    app_api.post(f"{CUSTOMERS}{nordlys['id']}/servers/", {"servers": [servers[2].pk]}, key="a")
    kari = app_api.post(
        f"{CUSTOMERS}{fjord['id']}/users/", {"email": "k@x.example", "invite": False}, key="k"
    ).json()
    refused = app_api.post(
        f"{CUSTOMERS}{fjord['id']}/grants/",
        {"user": kari["id"], "server": servers[2].pk, "preset": "viewer"},
        key="g",
    )
    assert refused.status_code == 422
    people = app_api.get(f"{CUSTOMERS}{nordlys['id']}/users/").json()
    assert people["count"] == 0


def test_sign_in_links_refuse_admins_and_suspended_customers(app_api, alice, servers):
    assert app_api.post("/api/v1/sso-links/", {"user": alice.pk}).status_code == 409
    customer = _create(app_api).json()
    kari = app_api.post(
        f"{CUSTOMERS}{customer['id']}/users/", {"email": "k@x.example", "invite": False}
    ).json()
    app_api.post(f"{CUSTOMERS}{customer['id']}/suspend/")
    refused = app_api.post("/api/v1/sso-links/", {"user": kari["id"]})
    assert refused.status_code == 409 and "suspended" in refused.json()["detail"]
    assert app_api.post("/api/v1/sso-links/", {"user": 999999}).status_code == 404


@pytest.mark.parametrize("scopes", [["customers:read", "customers:write", "sso-links:write"]])
def test_personal_tokens_never_manage_customers(api, alice, scopes, db):
    from panel.core.actors import Actor
    from panel.tokens import services

    with pytest.raises(Exception):  # noqa: B017 - the service refuses such a token outright
        services.create(Actor.person(alice), name="mine", scopes=scopes)
    mine = api(make_token(alice))  # every scope a personal token of an admin may have
    assert mine.get(CUSTOMERS).status_code == 403
    assert mine.post("/api/v1/sso-links/", {"user": alice.pk}).status_code == 403


def test_a_person_is_added_with_a_welcome_email(app_api, django_capture_on_commit_callbacks, db):
    customer = _create(app_api).json()
    with django_capture_on_commit_callbacks(execute=True):
        added = app_api.post(
            f"{CUSTOMERS}{customer['id']}/users/",
            {"email": "kari@bakery.example", "role": "admin"},
        )
    assert added.status_code == 201 and added.json()["role"] == "admin"
    [message] = mail.outbox
    assert message.to == ["kari@bakery.example"] and "/users/reset/" in message.body
    taken = app_api.post(f"{CUSTOMERS}{customer['id']}/users/", {"email": "KARI@bakery.example"})
    assert taken.status_code == 409 and "already a user" in taken.json()["detail"]
