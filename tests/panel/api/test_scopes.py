"""The scope matrix: every endpoint of the API needs exactly the scope the registry
(panel.tokens.scopes) gives it. A token with every other scope is refused (403, before
anything is looked up or sent); a token with only that scope gets past the scope check.
The registry names exactly the OpenAPI document's operations."""

from __future__ import annotations

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from panel.operations.models import Operation
from panel.tokens.scopes import ENDPOINTS, SCOPES
from panel.webhooks.models import Delivery

from ..conftest import calls
from ..webhooks.conftest import make_endpoint
from .conftest import make_token

PROBLEM = "application/problem+json"


def test_the_registry_names_every_operation_of_the_api_and_no_other():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {
        f"{method.upper()} {path}" for path, items in schema["paths"].items() for method in items
    }
    assert operations == set(ENDPOINTS)


def test_every_key_of_a_scope_is_a_permission_key():
    from panel.grants.permissions import KEYS

    for scope in SCOPES.values():
        assert scope.keys <= set(KEYS), scope.name


@pytest.fixture
def row(servers):
    return next(server for server in servers if server.type == "vps")


@pytest.fixture
def operation(row):
    return Operation.objects.create(
        kind="reinstall",
        server=row,
        srv_id=row.srv_id,
        connection=row.connection,
        idempotency_key="scope-matrix",
        status=Operation.Status.SUCCEEDED,
    )


@pytest.fixture
def delivery(db):
    """A delivered message of a reseller-wide webhook endpoint."""
    endpoint = make_endpoint("https://hooks.example.org/scopes")
    return Delivery.objects.create(
        endpoint=endpoint,
        message_id="msg_scopes",
        event_type="server.renamed",
        payload="{}",
        status=Delivery.Status.DELIVERED,
    )


def _request(api, endpoint, row, operation, delivery):
    method, path = endpoint.split(" ", 1)
    target = {"operations": operation.pk, "webhooks": delivery.endpoint_id}.get(
        path.split("/")[3], row.pk
    )
    url = path.replace("{id}", str(target)).replace("{delivery_id}", str(delivery.pk))
    for name in ("{snapshot_id}", "{server_id}", "{grant_id}"):
        url = url.replace(name, "999999")
    return getattr(api, method.lower())(url)


def _writes(sandbox) -> int:
    return sum(
        sum(statuses.values())
        for route, statuses in sandbox.stats()["calls"].items()
        if not route.startswith("GET") or "/reboot" in route or "/power/" in route
    )


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_each_endpoint_needs_its_scope(
    endpoint, api, alice, row, operation, delivery, sandbox, queued
):
    scope = ENDPOINTS[endpoint][0]
    others = sorted(set(SCOPES) - {scope})
    without = api(make_token(alice, application=True, scopes=others))
    before = _writes(sandbox)
    refused = _request(without, endpoint, row, operation, delivery)
    assert refused.status_code == 403, endpoint
    assert refused["Content-Type"] == PROBLEM
    assert scope in refused.json()["detail"]
    assert _writes(sandbox) == before and calls(sandbox, "POST /servers/{id}/ipmi") == 0

    only = api(make_token(alice, application=True, scopes=[scope]))
    answer = _request(only, endpoint, row, operation, delivery)
    assert answer.status_code not in (401, 403, 405) and answer.status_code < 500, (
        endpoint,
        answer.status_code,
        answer.content,
    )


def test_a_scope_does_not_lift_what_the_owner_may_not_do(api, bob, servers, sandbox):
    """bob (Operator: no iso.manage) with servers:write may rename, but not touch ISOs."""
    bob_api = api(make_token(bob, scopes=["servers:write"]))
    row = servers[0]
    assert bob_api.get(f"/api/v1/servers/{row.pk}/isos/").status_code == 403
    assert calls(sandbox, "GET /servers/{id}/isos") == 0
    renamed = bob_api.patch(f"/api/v1/servers/{row.pk}/", {"name": "renamed"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "renamed"


def test_a_method_an_endpoint_does_not_answer_is_405(app_api, servers):
    answer = app_api.client.put(
        f"/api/v1/servers/{servers[0].pk}/",
        {},
        content_type="application/json",
        headers=app_api._headers(None),
    )
    assert answer.status_code == 405 and answer["Content-Type"] == PROBLEM
    assert "PUT" in answer.json()["detail"]
    options = app_api.client.options(
        f"/api/v1/servers/{servers[0].pk}/", headers=app_api._headers(None)
    )
    assert options.status_code == 405


def test_people_are_offered_only_scopes_within_what_they_hold(bob, alice):
    from panel.tokens.scopes import offered

    mine = {scope.name for scope in offered(bob, application=False)}
    assert mine == {
        "servers:read",
        "servers:power",
        "servers:write",
        "console",
        "snapshots:read",
        "snapshots:write",
        "operations:read",
    }
    admins = {scope.name for scope in offered(alice, application=False)}
    assert "customers:write" not in admins and "reinstall" in admins and "webhooks:write" in admins
    assert {scope.name for scope in offered(alice, application=True)} == set(SCOPES)


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_every_endpoint_needs_a_token(endpoint, api, db):
    method, path = endpoint.split(" ", 1)
    url = re.sub(r"\{\w+\}", "1", path)
    answer = getattr(api(None), method.lower())(url)
    assert answer.status_code == 401 and answer["Content-Type"] == PROBLEM
    assert answer["WWW-Authenticate"] == "Bearer"
