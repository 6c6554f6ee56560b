"""The Webhooks pages: panel admins manage every endpoint, a customer's admins only their
own customer's (another one's does not exist for them), anyone else gets a 403. Changes are
audited without the secret; delete asks first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.accounts.models import User
from panel.audit.models import AuditEntry
from panel.webhooks.models import Delivery, Endpoint

from ..conftest import PASSWORD, log_in
from .conftest import make_endpoint

URL = "https://hooks.example.org/billing"


@pytest.fixture
def dag(fjord):
    """Fjord's customer admin."""
    return User.objects.create_user(
        "dag", "dag@example.org", PASSWORD, customer=fjord, customer_role="admin"
    )


@pytest.fixture
def dag_client(client, dag):
    return log_in(client, dag)


def add(client, **data):
    form = {"url": URL, "description": "Billing", "events": ["server.renamed", "user.joined"]}
    return client.post(reverse("webhooks:create"), {**form, **data})


def test_an_admin_adds_an_endpoint_and_sees_its_secret(alice_client, fjord):
    response = alice_client.get(reverse("webhooks:create"))
    assert "Every event (the whole panel)" in response.text and "Fjord Bakery" in response.text
    response = add(alice_client)
    endpoint = Endpoint.objects.get()
    assert response["Location"] == reverse("webhooks:detail", args=[endpoint.pk])
    assert (endpoint.url, endpoint.customer, endpoint.enabled) == (URL, None, True)
    assert endpoint.events == ["server.renamed", "user.joined"]
    secret = endpoint.secret
    assert secret.startswith("whsec_") and len(secret) > 40
    assert secret not in endpoint.secret_encrypted  # stored encrypted
    page = alice_client.get(reverse("webhooks:detail", args=[endpoint.pk])).text
    assert secret in page and "Rotate secret" in page and "Send test event" in page
    assert "Nothing sent yet." in page
    entry = AuditEntry.objects.get(action="webhook.create")
    assert entry.details == {"url": URL, "events": "server.renamed, user.joined", "customer": ""}
    listing = alice_client.get(reverse("webhooks:list")).text
    assert URL in listing and "The whole panel" in listing


def test_an_admin_can_add_a_customers_endpoint(alice_client, fjord):
    add(alice_client, customer=fjord.pk)
    assert Endpoint.objects.get().customer == fjord


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://127.0.0.1:8080/x", "private or local network"),
        ("http://localhost/x", "private or local network"),
        ("https://10.0.0.5/x", "private or local network"),
        ("https://user:pw@hooks.example.org/x", "Leave the user name and password out"),
        ("ftp://hooks.example.org/x", "Enter a valid URL."),
        ("not a url", "Enter a valid URL."),
    ],
)
def test_a_bad_url_is_refused_in_plain_words(alice_client, url, error):
    response = add(alice_client, url=url)
    assert response.status_code == 400 and error in response.text
    assert not Endpoint.objects.exists()


def test_no_event_chosen_is_refused(alice_client):
    response = add(alice_client, events=[])
    assert response.status_code == 400 and "Choose at least one event." in response.text


def test_a_local_receiver_is_accepted_with_the_setting(alice_client, allow_private):
    add(alice_client, url="http://127.0.0.1:9000/hooks")
    assert Endpoint.objects.get().url == "http://127.0.0.1:9000/hooks"


def test_a_customer_admin_manages_only_their_customers_endpoints(dag_client, fjord, nordlys):
    theirs = make_endpoint("https://hooks.example.org/fjord", customer=fjord)
    other = make_endpoint("https://hooks.example.org/nordlys", customer=nordlys)
    reseller = make_endpoint("https://hooks.example.org/all")
    listing = dag_client.get(reverse("webhooks:list")).text
    assert theirs.url in listing and other.url not in listing and reseller.url not in listing
    assert "Whose events" not in listing
    page = dag_client.get(reverse("webhooks:detail", args=[theirs.pk])).text
    assert theirs.plain_secret in page
    for endpoint in (other, reseller):
        for name in ("detail", "edit", "delete"):
            assert (
                dag_client.get(reverse(f"webhooks:{name}", args=[endpoint.pk])).status_code == 404
            )
        for name in ("rotate", "test", "delete"):
            assert (
                dag_client.post(reverse(f"webhooks:{name}", args=[endpoint.pk])).status_code == 404
            )
    assert Endpoint.objects.count() == 3
    assert other.secret == other.plain_secret  # not rotated


def test_a_customer_admins_new_endpoint_is_their_customers(dag_client, fjord, nordlys):
    response = dag_client.get(reverse("webhooks:create"))
    assert "Nordlys" not in response.text and "Whose events" not in response.text
    add(dag_client, customer=nordlys.pk)  # not a field for them: ignored
    assert Endpoint.objects.get().customer == fjord
    entry = AuditEntry.objects.get(action="webhook.create")
    assert entry.actor.username == "dag" and entry.details["customer"] == "Fjord Bakery"


def test_people_who_are_not_admins_get_403(client, fjord, bob):
    member = User.objects.create_user("ola", password=PASSWORD, customer=fjord)
    endpoint = make_endpoint(URL, customer=fjord)
    for user in (member, bob):
        client.force_login(user)
        assert client.get(reverse("webhooks:list")).status_code == 403
        assert client.post(reverse("webhooks:create")).status_code == 403
        assert client.get(reverse("webhooks:detail", args=[endpoint.pk])).status_code == 403
        assert client.post(reverse("webhooks:rotate", args=[endpoint.pk])).status_code == 403


def test_the_nav_links_to_webhooks_for_admins_and_customer_admins(alice_client, dag, client):
    link = f'href="{reverse("webhooks:list")}"'
    assert link in alice_client.get(reverse("servers:list")).text
    log_in(client, dag)
    assert link in client.get(reverse("servers:list")).text


def test_editing_turns_an_endpoint_off_and_on(alice_client):
    endpoint = make_endpoint(URL, events=["user.joined"])
    edit = reverse("webhooks:edit", args=[endpoint.pk])
    form = {"url": URL, "description": "", "events": ["user.joined", "server.renamed"]}
    alice_client.post(edit, form)  # the box unticked: off
    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.disabled_reason == "Turned off by alice."
    assert endpoint.events == ["server.renamed", "user.joined"]
    page = alice_client.get(reverse("webhooks:detail", args=[endpoint.pk])).text
    assert "it is disabled. Turned off by alice." in page and "Send test event" not in page
    alice_client.post(edit, {**form, "enabled": "on"})
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.disabled_reason == ""
    changed = AuditEntry.objects.filter(action="webhook.update").values_list("details", flat=True)
    assert [d["changed"] for d in changed.order_by("at", "pk")] == ["events, enabled", "enabled"]
    response = alice_client.post(edit, {**form, "enabled": "on"}, follow=True)
    assert "Nothing was changed." in response.text


def test_rotate_secret_keeps_the_old_one_signing(alice_client):
    endpoint = make_endpoint(URL)
    response = alice_client.post(reverse("webhooks:rotate", args=[endpoint.pk]), follow=True)
    assert "For 24 hours, messages are signed with the old one too" in response.text
    endpoint.refresh_from_db()
    assert endpoint.secret != endpoint.plain_secret
    assert endpoint.signing_secrets() == [endpoint.secret, endpoint.plain_secret]
    assert "messages are also signed with the previous secret" in response.text
    assert alice_client.get(reverse("webhooks:rotate", args=[endpoint.pk])).status_code == 405


def test_delete_asks_first(alice_client):
    endpoint = make_endpoint(URL)
    url = reverse("webhooks:delete", args=[endpoint.pk])
    page = alice_client.get(reverse("webhooks:detail", args=[endpoint.pk])).text
    assert 'data-dialog="confirm-delete"' in page and "Delete this endpoint?" in page
    question = alice_client.get(url)
    assert question.status_code == 200 and "This cannot be undone." in question.text
    assert Endpoint.objects.exists()
    response = alice_client.post(url, follow=True)
    assert not Endpoint.objects.exists()
    assert f"The endpoint {URL} was deleted." in response.text
    assert AuditEntry.objects.get(action="webhook.delete").details["url"] == URL


def test_send_test_event_and_resend(
    alice_client, receiver, allow_private, sent, django_capture_on_commit_callbacks
):
    from panel.webhooks import tasks

    endpoint = make_endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(reverse("webhooks:test", args=[endpoint.pk]), follow=True)
    assert "A test message is on its way." in response.text
    delivery = Delivery.objects.get()
    assert delivery.event_type == "webhook.test" and sent == [(delivery.pk, 0)]
    tasks.attempt(delivery.pk)
    assert receiver.received[0].headers["webhook-id"] == delivery.message_id
    page = alice_client.get(reverse("webhooks:detail", args=[endpoint.pk])).text
    assert "webhook.test" in page and "Delivered" in page and "Resend" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(
            reverse("webhooks:resend", args=[endpoint.pk, delivery.pk]), follow=True
        )
    assert "The message is being sent again." in response.text
    again = Delivery.objects.exclude(pk=delivery.pk).get()
    assert (again.message_id, again.payload, again.status) == (
        delivery.message_id,
        delivery.payload,
        "pending",
    )
    assert sent[-1] == (again.pk, 0)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"webhook.test", "webhook.resend"} <= actions


def test_resend_needs_the_endpoint_on_and_the_delivery_settled(alice_client):
    endpoint = make_endpoint(URL)
    waiting = Delivery.objects.create(
        endpoint=endpoint, message_id="m", event_type="x", payload="{}"
    )
    url = reverse("webhooks:resend", args=[endpoint.pk, waiting.pk])
    assert "still being delivered" in alice_client.post(url, follow=True).text
    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    Delivery.objects.filter(pk=waiting.pk).update(status="failed")
    assert "turn it on first" in alice_client.post(url, follow=True).text
    assert Delivery.objects.count() == 1
    other = make_endpoint("https://hooks.example.org/other")
    wrong = reverse("webhooks:resend", args=[other.pk, waiting.pk])
    assert alice_client.post(wrong).status_code == 404


def test_the_delivery_log_shows_how_each_went(alice_client):
    endpoint = make_endpoint(URL)
    Delivery.objects.create(
        endpoint=endpoint,
        message_id="m",
        event_type="server.renamed",
        payload="{}",
        status="pending",
        attempts=2,
        status_code=503,
        error="It answered 503 Service Unavailable.",
    )
    page = alice_client.get(reverse("webhooks:detail", args=[endpoint.pk])).text
    assert "server.renamed" in page and "Waiting" in page and "503" in page
    assert "It answered 503 Service Unavailable." in page


def test_a_secret_the_keys_cannot_decrypt_is_said_plainly(alice_client):
    endpoint = make_endpoint(URL)
    Endpoint.objects.filter(pk=endpoint.pk).update(secret_encrypted="not-a-fernet-token")
    page = alice_client.get(reverse("webhooks:detail", args=[endpoint.pk]))
    assert page.status_code == 200
    assert "cannot decrypt this secret" in page.text
