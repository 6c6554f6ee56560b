"""Long operations through the API: a reinstall answered 202 with its operation, the
operation followed, its root password revealed once; and the run-time check of a queued
operation applies the token's bounds and its owner's access, as the executor did."""

from __future__ import annotations

import pytest

from panel.accounts.models import User
from panel.audit.models import AuditEntry
from panel.core.actors import Actor
from panel.grants import services as grant_services
from panel.grants.models import Grant
from panel.grants.permissions import PRESETS
from panel.operations import tasks
from panel.operations.models import Operation
from panel.tokens import services
from panel.tokens.models import ApiToken

from ..conftest import calls
from .conftest import make_token

REINSTALL = "POST /servers/{id}/reinstall"


@pytest.fixture
def rita(alice, servers):
    """A manager of the first server."""
    user = User.objects.create_user("rita", "rita@example.org", "x")
    grant_services.grant(alice, user, PRESETS["manager"], server=servers[0])
    return user


def reinstall(client, row, **asked):
    choices = client.get(f"/api/v1/servers/{row.pk}/reinstall/")
    assert choices.status_code == 200, choices.content
    distro = next(d for d in choices.json()["distros"] if d["systems"])
    body = {
        "distro_id": distro["id"],
        "os_id": distro["systems"][0]["id"],
        "hostname": "fresh.example.com",
        **asked,
    }
    return client.post(f"/api/v1/servers/{row.pk}/reinstall/", body, key="reinstall-1")


def test_a_reinstall_is_202_with_its_operation(api, rita, servers, sandbox, queued):
    rita_api = api(make_token(rita, name="ci"))
    answer = reinstall(rita_api, servers[0])
    assert answer.status_code == 202, answer.content
    op = Operation.objects.get()
    assert answer.json()["id"] == op.pk and answer.json()["status"] == "queued"
    assert answer["Location"] == f"/api/v1/operations/{op.pk}/"
    assert op.origin == "api" and op.actor_kind == "token"
    assert op.initiator == rita and op.initiator_name == "API token 'ci' (of rita)"
    assert op.input["language"] == "en_US"  # the installer's defaults, as on the page
    entry = AuditEntry.objects.get(action="reinstall.requested")
    assert entry.actor == rita and entry.actor_name == "API token 'ci' (of rita)"
    assert entry.origin == "api" and entry.actor_kind == "token"

    tasks.run_operation(op.pk)
    assert calls(sandbox, REINSTALL) == 1
    followed = rita_api.get(answer["Location"]).json()
    assert followed["status"] == "running" and followed["password_waiting"] is True
    listed = rita_api.get("/api/v1/operations/", {"server": servers[0].pk}).json()
    assert [item["id"] for item in listed["results"]] == [op.pk]

    url = f"/api/v1/operations/{op.pk}/reveal-password/"
    shown = rita_api.post(url)
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    password = shown.json()["password"]
    assert password and password not in str(list(AuditEntry.objects.values("details")))
    gone = rita_api.post(url)
    assert gone.status_code == 410 and password not in gone.content.decode()
    op.refresh_from_db()
    assert op.password_revealed_by == "API token 'ci' (of rita)"


def test_a_bad_choice_is_refused_by_field(api, rita, servers, queued):
    rita_api = api(make_token(rita))
    answer = rita_api.post(
        f"/api/v1/servers/{servers[0].pk}/reinstall/",
        {"distro_id": 999, "os_id": 1, "hostname": "fresh.example.com"},
    )
    assert answer.status_code == 400
    assert answer.json()["errors"][0]["pointer"] == "#/distro_id"
    bad_host = reinstall(rita_api, servers[0], hostname="-bad-")
    assert bad_host.status_code == 400
    assert bad_host.json()["errors"][0]["pointer"] == "#/hostname"
    assert not Operation.objects.exists()


def test_a_revoked_token_stops_its_queued_reinstall(api, rita, servers, sandbox, queued):
    rita_api = api(make_token(rita))
    assert reinstall(rita_api, servers[0]).status_code == 202
    services.revoke(Actor.person(rita), ApiToken.objects.get())
    op = Operation.objects.get()
    tasks.run_operation(op.pk)
    op.refresh_from_db()
    assert op.status == "failed" and "Permission withdrawn" in op.error
    assert calls(sandbox, REINSTALL) == 0


def test_a_revoked_grant_stops_the_tokens_queued_reinstall(
    api, rita, alice, servers, sandbox, queued
):
    rita_api = api(make_token(rita))
    assert reinstall(rita_api, servers[0]).status_code == 202
    grant_services.revoke(alice, Grant.objects.get(user=rita))
    op = Operation.objects.get()
    tasks.run_operation(op.pk)
    op.refresh_from_db()
    assert op.status == "failed"
    assert calls(sandbox, REINSTALL) == 0


def test_a_token_without_the_scope_stops_it_too(api, rita, servers, sandbox, queued):
    """The scope counts at run time as well: a token whose scopes changed cannot run it."""
    rita_api = api(make_token(rita))
    assert reinstall(rita_api, servers[0]).status_code == 202
    ApiToken.objects.update(scopes=["servers:read"])
    op = Operation.objects.get()
    tasks.run_operation(op.pk)
    op.refresh_from_db()
    assert op.status == "failed" and calls(sandbox, REINSTALL) == 0


def test_an_application_token_reinstalls_as_the_panel(api, alice, servers, sandbox, queued):
    secret = make_token(alice, application=True, name="billing")
    app = api(secret)
    assert reinstall(app, servers[0]).status_code == 202
    op = Operation.objects.get()
    assert op.initiator is None and op.initiator_name == "API token 'billing' (application)"
    tasks.run_operation(op.pk)
    assert calls(sandbox, REINSTALL) == 1
    shown = app.post(f"/api/v1/operations/{op.pk}/reveal-password/")
    assert shown.status_code == 200 and shown.json()["password"]
    entry = AuditEntry.objects.get(action="reinstall.password_reveal")
    assert entry.actor is None and entry.actor_name == "API token 'billing' (application)"


def test_the_initiators_token_may_reveal_without_the_reveal_permission(
    api, alice, servers, sandbox, queued
):
    keys = [k for k in PRESETS["manager"] if k != "password.reveal"]
    user = User.objects.create_user("ivar", password="x")
    grant_services.grant(alice, user, keys, server=servers[0])
    ivar = api(make_token(user))
    assert reinstall(ivar, servers[0]).status_code == 202
    op = Operation.objects.get()
    tasks.run_operation(op.pk)
    assert ivar.post(f"/api/v1/operations/{op.pk}/reveal-password/").status_code == 200
    other = User.objects.create_user("other", password="x")
    grant_services.grant(alice, other, keys, server=servers[0])
    op.root_password_encrypted = "still-there"
    Operation.objects.filter(pk=op.pk).update(root_password_encrypted="still-there")
    answer = api(make_token(other)).post(f"/api/v1/operations/{op.pk}/reveal-password/")
    assert answer.status_code == 403


def test_operations_of_servers_the_token_does_not_see_are_404(bob_api, servers):
    op = Operation.objects.create(
        kind="reinstall",
        server=servers[-1],
        srv_id=servers[-1].srv_id,
        connection=servers[-1].connection,
        idempotency_key="elsewhere",
    )
    assert bob_api.get(f"/api/v1/operations/{op.pk}/").status_code == 404
    assert bob_api.get("/api/v1/operations/").json()["count"] == 0
