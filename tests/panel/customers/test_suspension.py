"""A suspended customer: its people's next request, their htmx polls, their commands and
their queued operations are refused; reactivating gives everything back."""

from __future__ import annotations

from django.urls import reverse

from panel.audit.models import AuditEntry
from panel.commands.executor import execute
from panel.core.actors import Actor
from panel.customers import services
from panel.operations.models import Operation
from panel.operations.tasks import run_operation
from panel.servers.commands import Rename
from panel.snapshots.commands import TakeSnapshot

from ..conftest import calls, log_in


def test_the_next_request_gets_the_plain_suspended_page(client, alice, dag, fjord, servers):
    log_in(client, dag)
    url = reverse("servers:detail", args=[servers[0].pk])
    assert client.get(url).status_code == 200
    services.suspend(fjord, actor=Actor.person(alice))
    page = client.get(url)
    assert page.status_code == 403
    assert "Your account is suspended" in page.text and "Fjord Bakery" in page.text
    posted = client.post(reverse("servers:rename", args=[servers[0].pk]), {"name": "x"})
    assert posted.status_code == 403 and "Your account is suspended" in posted.text
    # An open page's htmx poll makes the page reload into the suspended page.
    polled = client.get(url, HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"
    services.reactivate(fjord, actor=Actor.person(alice))
    assert client.get(url).status_code == 200


def test_staff_and_other_customers_go_on_as_before(client, alice, bob, nina, fjord, servers):
    services.suspend(fjord, actor=Actor.person(alice))
    log_in(client, nina)
    assert client.get(reverse("servers:detail", args=[servers[2].pk])).status_code == 200


def test_the_executor_refuses_a_suspended_customers_commands(alice, dag, fjord, servers, sandbox):
    services.suspend(fjord, actor=Actor.person(alice))
    dag.refresh_from_db()
    command = Rename(actor=Actor.person(dag), server=servers[0], key="b" * 32, name="x")
    outcome = execute(command)
    assert not outcome.ok and "suspended" in outcome.message
    assert calls(sandbox, "PUT /servers/{id}/name") == 0
    assert AuditEntry.objects.get(action="server.rename").result == "refused"


def test_a_queued_operation_of_theirs_sends_nothing(alice, dag, fjord, servers, sandbox, queued):
    command = TakeSnapshot(actor=Actor.person(dag), server=servers[0], key="c" * 32, name="n")
    outcome = execute(command)
    assert outcome.ok, outcome.message
    services.suspend(fjord, actor=Actor.person(alice))
    run_operation(outcome.data["operation"])
    op = Operation.objects.get()
    assert op.status == "failed"
    assert calls(sandbox, "POST /servers/{id}/snapshot") == 0


def test_suspending_can_power_off_each_server_through_the_executor(alice, fjord, servers, sandbox):
    outcomes = services.suspend(fjord, actor=Actor.person(alice), power_off=True)
    assert len(outcomes) == 2
    entries = AuditEntry.objects.filter(action="power.off")
    assert {e.server_id for e in entries} == {servers[0].pk, servers[1].pk}
    assert {e.origin for e in entries} == {"bulk"}
    assert AuditEntry.objects.filter(action="customer.suspend").count() == 1
    fjord.refresh_from_db()
    assert fjord.is_suspended
