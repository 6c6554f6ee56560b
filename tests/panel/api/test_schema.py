"""The OpenAPI document: valid OpenAPI 3.1 (openapi-spec-validator), and kept by the API it
describes: schemathesis sends each operation a bounded number of generated requests,
against the panel on the sandbox, and every answer must be no 500 and match the document
(status, content type, headers and body)."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from panel.customers.models import Customer
from panel.operations.models import Operation
from panel.webhooks import tasks as webhook_tasks
from panel.webhooks.models import Delivery
from panel.wsgi import application

from ..webhooks.conftest import make_endpoint
from .conftest import make_token

SCHEMA = "/api/v1/schema/?format=json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_the_document_is_valid_openapi_3_1(client):
    answer = client.get(SCHEMA)
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


@pytest.fixture
def api_schema(db):
    """The panel's own WSGI application, in this process. Like Django's test client, it
    keeps the test's database connection open after each request."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi(SCHEMA, application)
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def targets(alice, servers, settings, monkeypatch):
    """Real ids for the generated requests (random ones would only meet 404s), and rates
    that let every generated request through. Webhook messages are never sent: a generated
    URL may name a real host."""
    settings.PANEL_API_RATE = settings.PANEL_API_WRITE_RATE = "100000/min"
    monkeypatch.setattr(webhook_tasks.deliver, "apply_async", lambda *args, **kwargs: None)
    row = next(server for server in servers if server.type == "vps")
    op = Operation.objects.create(
        kind="reinstall",
        server=row,
        srv_id=row.srv_id,
        connection=row.connection,
        idempotency_key="schemathesis",
        status=Operation.Status.SUCCEEDED,
    )
    delivery = Delivery.objects.create(
        endpoint=make_endpoint("https://hooks.example.org/schemathesis"),
        message_id="msg_schemathesis",
        event_type="server.renamed",
        payload="{}",
        status=Delivery.Status.FAILED,
    )
    secret = make_token(alice, application=True, name="schemathesis")
    customer = Customer.objects.create(name="Schemathesis", external_ref="S-1")
    row.customer = customer
    row.save(update_fields=["customer"])
    return {
        "customers": customer.pk,
        "servers": row.pk,
        "operations": op.pk,
        "webhooks": delivery.endpoint_id,
        "delivery_id": delivery.pk,
        "secret": secret,
    }


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis.settings(
    max_examples=6,
    deadline=None,
    database=None,  # nothing written under .hypothesis/
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_the_api_keeps_its_document(case, targets, queued):
    parameters = case.path_parameters or {}
    if "id" in parameters:
        parameters["id"] = targets[case.path.split("/")[3]]  # /api/v1/<resource>/{id}/
    if "delivery_id" in parameters:
        parameters["delivery_id"] = targets["delivery_id"]
    case.call_and_validate(headers={"Authorization": f"Bearer {targets['secret']}"}, checks=CHECKS)
