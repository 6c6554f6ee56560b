"""A token sees what its owner sees, at the moment of use, within its own bounds: a token of
one server gets 404 for every other; a revoked grant, a disabled owner, a suspended
customer, a revoked or expired token and an address it does not allow all stop it at once.
An application token acts as the panel and outlives the admin who made it."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.utils import timezone

from panel.core.actors import Actor
from panel.customers.models import Customer
from panel.customers.services import suspend
from panel.grants import services as grant_services
from panel.grants.models import Grant
from panel.tokens import services
from panel.tokens.models import ApiToken

from ..conftest import calls
from .conftest import make_token

PROBLEM = "application/problem+json"


def server_url(row, tail=""):
    return f"/api/v1/servers/{row.pk}/{tail}"


def test_the_list_is_what_the_owner_sees(bob_api, servers):
    answer = bob_api.get("/api/v1/servers/")
    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [s.pk for s in servers[:2]]
    assert answer["Cache-Control"] == "no-store"


def test_the_list_filters_and_pages(app_api, servers):
    everything = app_api.get("/api/v1/servers/").json()
    assert everything["count"] == len(servers)
    first = app_api.get("/api/v1/servers/", {"page_size": 3}).json()
    assert len(first["results"]) == 3 and first["next"]
    name = servers[0].display_name
    found = app_api.get("/api/v1/servers/", {"search": name}).json()["results"]
    assert servers[0].pk in [row["id"] for row in found]
    by_ip = app_api.get("/api/v1/servers/", {"search": servers[0].primary_ip}).json()
    assert [row["id"] for row in by_ip["results"]] == [servers[0].pk]
    running = app_api.get("/api/v1/servers/", {"status": "running"}).json()["results"]
    assert all(row["status"] == "running" for row in running)
    customer = Customer.objects.create(name="Fjord")
    servers[3].customer = customer
    servers[3].save()
    theirs = app_api.get("/api/v1/servers/", {"customer": customer.pk}).json()["results"]
    assert [row["id"] for row in theirs] == [servers[3].pk]


def test_the_list_costs_the_same_queries_however_many_servers(
    bob, alice, api, servers, django_assert_max_num_queries
):
    for server in servers[2:]:
        grant_services.grant(alice, bob, ["server.view"], server=server)
    bob_api = api(make_token(bob))
    # The token, its last use, the servers through the owner's grants (counted, then read),
    # and the white label's brand and billing.view (the labels name the provider).
    with django_assert_max_num_queries(6):
        answer = bob_api.get("/api/v1/servers/")
    assert answer.json()["count"] == len(servers)


def test_a_token_of_one_server_gets_404_for_every_other(api, bob, servers, sandbox):
    one = api(make_token(bob, servers=[servers[0]]))
    assert [r["id"] for r in one.get("/api/v1/servers/").json()["results"]] == [servers[0].pk]
    assert one.get(server_url(servers[0])).status_code == 200
    before = calls(sandbox, "GET /servers/{id}/reboot")
    for other in servers[1:]:  # bob sees servers[1] too: not through this token
        for answer in (
            one.get(server_url(other)),
            one.post(server_url(other, "power/"), {"action": "reboot"}),
            one.get(server_url(other, "snapshots/")),
        ):
            assert answer.status_code == 404 and answer["Content-Type"] == PROBLEM
    assert calls(sandbox, "GET /servers/{id}/reboot") == before


def test_a_server_gone_from_the_list_never_widens_the_token(api, bob, servers):
    one = api(make_token(bob, servers=[servers[0]]))
    token = ApiToken.objects.get()
    token.servers.clear()  # as when the mirror removes a server for good
    assert one.get("/api/v1/servers/").json()["count"] == 0


def test_a_revoked_grant_stops_the_token_at_once(bob_api, bob, alice, servers, sandbox):
    assert bob_api.get(server_url(servers[0])).status_code == 200
    grant = Grant.objects.get(user=bob, server=servers[0])
    grant_services.revoke(alice, grant)
    assert bob_api.get(server_url(servers[0])).status_code == 404
    answer = bob_api.post(server_url(servers[0], "power/"), {"action": "reboot"})
    assert answer.status_code == 404
    assert calls(sandbox, "GET /servers/{id}/reboot") == 0


def test_a_disabled_owner_stops_the_token(bob_api, bob):
    bob.is_active = False
    bob.save()
    answer = bob_api.get("/api/v1/servers/")
    assert answer.status_code == 403 and answer["Content-Type"] == PROBLEM
    assert "owner is disabled" in answer.json()["detail"]


def test_a_suspended_customer_stops_the_token(api, alice, servers, sandbox):
    from panel.accounts.models import User

    customer = Customer.objects.create(name="Fjord")
    servers[0].customer = customer
    servers[0].save()
    dag = User.objects.create_user(
        "dag", password="x", customer=customer, customer_role=User.CustomerRole.ADMIN
    )
    dag_api = api(make_token(dag))
    assert dag_api.get("/api/v1/servers/").json()["count"] == 1
    suspend(customer, actor=Actor.person(alice))
    answer = dag_api.post(server_url(servers[0], "power/"), {"action": "reboot"})
    assert answer.status_code == 403
    assert "suspended" in answer.json()["detail"]
    assert calls(sandbox, "GET /servers/{id}/reboot") == 0


def test_a_revoked_token_is_refused_in_plain_words(bob_api, bob):
    services.revoke(Actor.person(bob), ApiToken.objects.get())
    answer = bob_api.get("/api/v1/servers/")
    assert answer.status_code == 401 and answer["Content-Type"] == PROBLEM
    assert answer["WWW-Authenticate"] == "Bearer"
    assert "revoked" in answer.json()["detail"]


def test_an_expired_token_is_refused(api, bob):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        secret = make_token(bob, expires_at=now + timedelta(days=1))
        assert api(secret).get("/api/v1/servers/").status_code == 200
    with time_machine.travel(now + timedelta(days=1, seconds=1), tick=False):
        answer = api(secret).get("/api/v1/servers/")
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]


def test_only_the_allowed_addresses(api, bob):
    secret = make_token(bob, allowed_ips=["192.0.2.0/24"])
    inside = api(secret).get("/api/v1/servers/", REMOTE_ADDR="192.0.2.7")
    assert inside.status_code == 200
    outside = api(secret).get("/api/v1/servers/", REMOTE_ADDR="203.0.113.9")
    assert outside.status_code == 403
    assert "203.0.113.9" in outside.json()["detail"]
    token = ApiToken.objects.get()
    assert token.last_used_from == "192.0.2.7"


def test_unknown_and_malformed_tokens(api, db):
    for secret in ("pnl_" + "x" * 43, "not-a-token"):
        answer = api(secret).get("/api/v1/servers/")
        assert answer.status_code == 401 and answer["Content-Type"] == PROBLEM
    assert api(None).get("/api/v1/servers/").status_code == 401
    basic = api(None).get("/api/v1/servers/", headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401 and "Bearer" in basic.json()["detail"]


def test_a_session_cookie_is_no_way_in(bob_client, servers):
    """Logged in to the pages, without a token: the API answers 401 (no cookie, no CSRF)."""
    assert bob_client.get("/api/v1/servers/").status_code == 401
    answer = bob_client.post(
        server_url(servers[0], "power/"), {"action": "reboot"}, content_type="application/json"
    )
    assert answer.status_code == 401


def test_an_application_token_sees_every_server_and_outlives_its_maker(api, alice, servers):
    from panel.accounts.models import User

    maker = User.objects.create_user("maker", password="x", is_panel_admin=True)
    secret = make_token(maker, application=True)
    maker.delete()
    token = ApiToken.objects.get()
    assert token.owner is None and token.created_by is None and token.created_by_name == "maker"
    answer = api(secret).get("/api/v1/servers/")
    assert answer.status_code == 200 and answer.json()["count"] == len(servers)


def test_a_personal_token_goes_with_its_owner(api, bob):
    secret = make_token(bob)
    bob.delete()
    assert api(secret).get("/api/v1/servers/").status_code == 401


def test_white_labelled_owners_read_no_provider_names(bob_api, app_api, servers):
    mine = bob_api.get(server_url(servers[0])).json()
    assert mine["label"] == f"Server {servers[0].srv_id}"
    assert mine["connection"] is None  # the provider account: staff only, as on the pages
    assert bob_api.get("/api/v1/servers/").json()["results"][0]["connection"] is None
    panel = app_api.get(server_url(servers[0])).json()
    assert "terrahost" in panel["label"] and panel["connection"]["name"] == "Sandbox"
