"""The API tokens page: everyone's own tokens, Create token (in sudo mode; the token shown
exactly once, never cached), Revoke (asked first), application tokens for admins, and
customers' people limited to what they hold."""

from __future__ import annotations

from django.urls import reverse

from panel.accounts.models import User
from panel.audit.models import AuditEntry
from panel.customers.models import Customer
from panel.tokens.models import ApiToken

from ..api.conftest import Api

LIST = reverse("tokens:list")
CREATE = reverse("tokens:create")


def create(client, **fields):
    data = {"name": "ci", "scopes": ["servers:read"], **fields}
    return client.post(CREATE, data)


def test_the_page_is_linked_from_every_page(bob_client):
    page = bob_client.get(reverse("servers:list"))
    assert f'href="{LIST}"' in page.text
    assert bob_client.get(LIST).status_code == 200


def test_creating_asks_for_the_password_again(client, bob):
    client.force_login(bob)  # not in sudo mode
    answer = client.get(CREATE)
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("accounts:sudo"))
    assert create(client).status_code == 302
    assert not ApiToken.objects.exists()


def test_the_token_is_shown_once_and_never_kept(bob_client, bob, client):
    answer = create(bob_client, scopes=["servers:read", "servers:power"])
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    secret = answer.context["secret"]
    assert secret.startswith("pnl_") and len(secret) >= 4 + 32
    assert answer.text.count(secret) == 2  # the token, and the curl example under it
    assert f'Bearer {secret}" http://testserver/api/v1/servers/' in answer.text
    token = ApiToken.objects.get()
    assert token.owner == bob and token.scopes == ["servers:read", "servers:power"]
    assert secret not in str(ApiToken.objects.values().get())
    listed = bob_client.get(LIST)
    assert secret not in listed.text and token.prefix in listed.text
    entry = AuditEntry.objects.get(action="token.create")
    assert entry.actor == bob and secret not in str(entry.details)
    assert Api(client, secret).get("/api/v1/servers/").status_code == 200


def test_people_are_offered_only_what_they_hold(bob_client):
    form = bob_client.get(CREATE).context["form"]
    offered = {choice["name"] for choice in form.scope_choices()}
    assert "reinstall" not in offered and "customers:write" not in offered
    assert "kind" not in form.fields
    refused = create(bob_client, scopes=["reinstall"])
    assert refused.status_code == 400 and not ApiToken.objects.exists()
    personal = create(bob_client, kind="application")  # not offered: stays personal
    assert personal.status_code == 200 and ApiToken.objects.get().owner is not None


def test_a_customers_people_never_get_customer_scopes(client, alice, servers):
    from ..conftest import log_in

    fjord = Customer.objects.create(name="Fjord")
    servers[0].customer = fjord
    servers[0].save()
    dag = User.objects.create_user(
        "dag", password="x", customer=fjord, customer_role=User.CustomerRole.ADMIN
    )
    log_in(client, dag)
    offered = {c["name"] for c in client.get(CREATE).context["form"].scope_choices()}
    assert "customers:read" not in offered and "sso-links:write" not in offered
    assert "reinstall" in offered  # within the customer's ceiling
    assert "orders:write" not in offered  # billable: not in a new customer's ceiling
    picker = client.get(CREATE).context["picker"]
    assert [row.pk for row in picker["results"]] == [servers[0].pk]


def test_servers_can_be_picked_and_only_those_one_sees(bob_client, servers):
    assert create(bob_client, servers=[servers[0].pk]).status_code == 200
    token = ApiToken.objects.get()
    assert token.limit_servers and list(token.servers.all()) == [servers[0]]
    refused = create(bob_client, name="other", servers=[servers[5].pk])
    assert refused.status_code == 400 and "servers" in refused.context["form"].errors


def test_the_picker_searches_what_one_sees(bob_client, servers):
    answer = bob_client.get(
        reverse("tokens:server_picker"),
        {"q": servers[0].display_name},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200 and servers[0].display_name in answer.text
    assert servers[5].display_name not in answer.text


def test_addresses_and_end(bob_client):
    bad = create(bob_client, allowed_ips="192.0.2.1\nnot-an-address")
    assert bad.status_code == 400 and "not-an-address" in bad.text
    past = create(bob_client, ends_on="2000-01-01")
    assert past.status_code == 400
    good = create(bob_client, allowed_ips="192.0.2.1, 198.51.100.0/24", ends_on="2099-12-31")
    assert good.status_code == 200
    token = ApiToken.objects.get()
    assert token.allowed_ips == ["192.0.2.1/32", "198.51.100.0/24"] and token.expires_at


def test_admins_make_and_see_application_tokens(alice_client, alice, bob):
    from django.test import Client

    from ..conftest import log_in

    answer = create(
        alice_client, name="billing", kind="application", scopes=["customers:write", "servers:read"]
    )
    assert answer.status_code == 200
    token = ApiToken.objects.get()
    assert token.is_application and token.owner is None and token.created_by_name == "alice"
    other = User.objects.create_user("admin2", password="x", is_panel_admin=True)
    assert token.name in log_in(Client(), other).get(LIST).text
    assert token.name not in log_in(Client(), bob).get(LIST).text
    personal_with_customers = create(alice_client, name="mine", scopes=["customers:write"])
    assert personal_with_customers.status_code == 400
    assert "application tokens" in personal_with_customers.text


def test_revoke_asks_first_then_revokes(bob_client, bob):
    create(bob_client)
    token = ApiToken.objects.get()
    url = reverse("tokens:revoke", args=[token.pk])
    page = bob_client.get(LIST)
    assert f'action="{url}"' in page.text  # the dialog's form (and the page without JS)
    assert bob_client.get(url).status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is None
    answer = bob_client.post(url)
    assert answer.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by_name == "bob"
    assert AuditEntry.objects.filter(action="token.revoke", actor=bob).count() == 1
    assert "Revoked" in bob_client.get(LIST).text


def test_admins_see_and_may_revoke_everyones_tokens(alice_client, bob):
    from panel.core.actors import Actor
    from panel.tokens import services

    token, _secret = services.create(Actor.person(bob), name="leaked", scopes=["servers:read"])
    page = alice_client.get(LIST)
    assert "leaked" in page.context["others"][0].name
    assert alice_client.post(reverse("tokens:revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_by_name == "alice"


def test_nobody_else_revokes_someone_elses_token(alice, bob, charlie):
    from django.test import Client

    from ..conftest import log_in

    alice_client, bob_client = log_in(Client(), alice), log_in(Client(), bob)
    create(alice_client, kind="application")
    app_token = ApiToken.objects.get()
    assert bob_client.post(reverse("tokens:revoke", args=[app_token.pk])).status_code == 404
    create(bob_client)
    bobs = ApiToken.objects.get(owner__username="bob")
    charlie_client = log_in(Client(), charlie)
    assert charlie_client.get(reverse("tokens:revoke", args=[bobs.pk])).status_code == 404
    assert charlie_client.post(reverse("tokens:revoke", args=[bobs.pk])).status_code == 404
    assert bobs.prefix not in charlie_client.get(LIST).text
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
