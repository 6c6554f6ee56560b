"""The events the apps announce (panel.core.events), where they happen, after commit, and
which endpoints hear of them: a customer's endpoint only of its own customer."""

from __future__ import annotations

import pytest
from django.db import transaction

from panel.accounts.models import User
from panel.commands.executor import execute
from panel.connections.services import api
from panel.core import events
from panel.core.actors import Actor
from panel.core.outcomes import new_key
from panel.customers import services as customers
from panel.operations.models import Operation
from panel.servers import mirror
from panel.servers.commands import Rename
from panel.snapshots.commands import DeleteSnapshot, TakeSnapshot
from panel.webhooks.models import Delivery

from ..snapshots.conftest import run, snapshots_of
from .conftest import make_endpoint


def of(announced, type):
    return [(data, customer_id) for kind, data, customer_id in announced if kind == type]


def test_an_event_is_announced_after_commit_and_never_for_a_rollback(
    db, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            events.announce("customer.suspended", {}, customer_id=None)
            raise RuntimeError
        events.announce("customer.reactivated", {"customer": {"id": 1}}, customer_id=1)
        assert announced == []  # not before the commit
    assert announced == [("customer.reactivated", {"customer_id": 1, "customer": {"id": 1}}, 1)]
    with pytest.raises(ValueError, match="Unknown event type"):
        events.announce("server.exploded", {}, customer_id=None)


def test_a_status_change_in_the_mirror_is_announced_but_never_a_first_import(
    connection, servers, fjord, sandbox, announced, django_capture_on_commit_callbacks
):
    """The `connection` fixture's first listing announced nothing (its commit never came);
    here a listing stores the same again, then one server is powered off."""
    with django_capture_on_commit_callbacks(execute=True):
        mirror.refresh_connection(connection, force=True)
    assert of(announced, "server.status_changed") == []
    row = next(s for s in servers[:2] if s.status == "running")
    with api(connection) as client:
        client.servers.power_off(row.srv_id)
    sandbox.advance(10)
    with django_capture_on_commit_callbacks(execute=True):
        mirror.refresh_connection(connection, force=True)
        mirror.refresh_connection(connection, force=True)  # nothing new: nothing said
    server = {"id": row.pk, "srv_id": row.srv_id, "name": row.display_name}
    assert of(announced, "server.status_changed") == [
        (
            {
                "customer_id": fjord.pk,
                "server": server,
                "status": "stopped",
                "previous_status": "running",
            },
            fjord.pk,
        )
    ]


def test_a_first_listing_announces_nothing(
    db, sandbox, announced, django_capture_on_commit_callbacks
):
    from panel.connections import services as connection_services

    from ..conftest import API_URL

    with django_capture_on_commit_callbacks(execute=True):
        conn = connection_services.add_connection(
            connection_services.NewConnection(
                name="New", username="demo", password="demo", base_url=API_URL
            )
        )
        mirror.refresh_connection(conn, force=True)
    assert announced == []


def test_a_rename_is_announced(
    alice, servers, fjord, announced, django_capture_on_commit_callbacks
):
    row = servers[0]
    old = row.display_name
    with django_capture_on_commit_callbacks(execute=True):
        outcome = execute(
            Rename(actor=Actor.person(alice), server=row, key=new_key(), name="bakery-web")
        )
    assert outcome.ok, outcome.message
    ((data, customer_id),) = of(announced, "server.renamed")
    assert customer_id == fjord.pk
    assert data["server"] == {"id": row.pk, "srv_id": row.srv_id, "name": "bakery-web"}
    assert data["previous_name"] == old


def test_operations_and_snapshots_are_announced(
    alice, servers, fjord, sandbox, queued, announced, django_capture_on_commit_callbacks
):
    row = servers[1]  # web-02 takes snapshots
    actor = Actor.person(alice)
    with django_capture_on_commit_callbacks(execute=True):
        execute(TakeSnapshot(actor=actor, server=row, key=new_key(), name="nightly"))
        op = Operation.objects.get()
        run(op, sandbox)
        run(op, sandbox, advance=30)
    assert op.status == "succeeded"
    server = {"id": row.pk, "srv_id": row.srv_id, "name": row.display_name}
    operation = {"id": op.pk, "kind": "snapshot_create"}
    assert of(announced, "operation.started") == [
        (
            {
                "customer_id": fjord.pk,
                "server": server,
                "operation": {**operation, "status": "running"},
            },
            fjord.pk,
        )
    ]
    assert of(announced, "operation.finished") == [
        (
            {
                "customer_id": fjord.pk,
                "server": server,
                "operation": {**operation, "status": "succeeded"},
            },
            fjord.pk,
        )
    ]
    snap_id = op.result["snap_id"]
    assert of(announced, "snapshot.created") == [
        (
            {
                "customer_id": fjord.pk,
                "server": server,
                "snapshot": {"id": snap_id, "name": "nightly"},
                "operation": {"id": op.pk},
            },
            fjord.pk,
        )
    ]
    with django_capture_on_commit_callbacks(execute=True):
        execute(
            DeleteSnapshot(actor=actor, server=row, key=new_key(), snap_id=snap_id, name="nightly")
        )
        run(Operation.objects.get(kind="snapshot_delete"), sandbox)
    assert snap_id not in [s.id for s in snapshots_of(row)]
    ((data, _),) = of(announced, "snapshot.deleted")
    assert data["snapshot"] == {"id": snap_id, "name": "nightly"}
    assert [d["operation"]["status"] for d, _ in of(announced, "operation.finished")] == [
        "succeeded",
        "succeeded",
    ]


def test_a_failed_operation_is_announced_with_its_status_only(
    alice, servers, sandbox, queued, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        execute(TakeSnapshot(actor=Actor.person(alice), server=servers[3], key=new_key(), name="x"))
        run(Operation.objects.get(), sandbox, checks=0)  # dedicated: refused upstream
    ((data, customer_id),) = of(announced, "operation.finished")
    assert data["operation"]["status"] == "failed" and customer_id is None
    assert of(announced, "snapshot.created") == []
    assert set(data) == {"customer_id", "server", "operation"}


def test_suspending_and_reactivating_a_customer_is_announced(
    alice, fjord, announced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        customers.suspend(fjord, actor=Actor.person(alice))
        customers.reactivate(fjord, actor=Actor.person(alice))
    facts = {"id": fjord.pk, "name": "Fjord Bakery", "external_ref": "C-100"}
    assert [(kind, data) for kind, data, _ in announced] == [
        ("customer.suspended", {"customer_id": fjord.pk, "customer": facts}),
        ("customer.reactivated", {"customer_id": fjord.pk, "customer": facts}),
    ]


def test_a_new_person_is_announced(fjord, announced, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        eva = User.objects.create_user(
            "eva", "eva@example.org", "x", customer=fjord, customer_role="admin"
        )
        eva.first_name = "Eva"
        eva.save()  # a change is not a new person
    assert of(announced, "user.joined") == [
        (
            {
                "customer_id": fjord.pk,
                "user": {
                    "id": eva.pk,
                    "username": "eva",
                    "email": "eva@example.org",
                    "role": "admin",
                },
            },
            fjord.pk,
        )
    ]


def test_each_endpoint_hears_only_what_its_scope_allows(
    alice, servers, fjord, nordlys, sent, django_capture_on_commit_callbacks
):
    """Reseller-wide: everything. A customer's: its own servers and people only, never
    another customer's nor the reseller's own servers."""
    everything = make_endpoint("https://hooks.example.org/all")
    bakery = make_endpoint("https://hooks.example.org/fjord", customer=fjord)
    media = make_endpoint("https://hooks.example.org/nordlys", customer=nordlys)
    renames_only = make_endpoint("https://hooks.example.org/r", events=["server.renamed"])
    actor = Actor.person(alice)
    with django_capture_on_commit_callbacks(execute=True):
        for row, name in (
            (servers[0], "fjord-web"),
            (servers[2], "nordlys-db"),
            (servers[5], "own"),
        ):
            execute(Rename(actor=actor, server=row, key=new_key(), name=name))
        User.objects.create_user("nils", customer=nordlys)
        customers.suspend(fjord, actor=actor)

    def heard(endpoint):
        return sorted(
            (d.event_type, d.payload.split('"customer_id":')[1].split(",")[0])
            for d in Delivery.objects.filter(endpoint=endpoint)
        )

    f, n = str(fjord.pk), str(nordlys.pk)
    assert heard(everything) == sorted(
        [
            ("server.renamed", f),
            ("server.renamed", n),
            ("server.renamed", "null"),
            ("user.joined", n),
            ("customer.suspended", f),
        ]
    )
    assert heard(bakery) == [("customer.suspended", f), ("server.renamed", f)]
    assert heard(media) == [("server.renamed", n), ("user.joined", n)]
    assert len(heard(renames_only)) == 3
    assert len(sent) == Delivery.objects.count() == 12
    # One event is one message: the same webhook-id for every endpoint that gets it.
    suspended = Delivery.objects.filter(event_type="customer.suspended")
    assert len({d.message_id for d in suspended}) == 1


def test_a_customers_endpoint_does_not_see_the_providers_name(
    fjord, sent, django_capture_on_commit_callbacks
):
    everything = make_endpoint("https://hooks.example.org/all")
    bakery = make_endpoint("https://hooks.example.org/fjord", customer=fjord)
    data = {
        "server": {"id": 1, "srv_id": 1234, "name": "srv1234.terrahost.no"},
        "previous_name": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        events.announce("server.renamed", data, customer_id=fjord.pk)
    assert "srv1234.terrahost.no" in Delivery.objects.get(endpoint=everything).payload
    payload = Delivery.objects.get(endpoint=bakery).payload
    assert "terrahost" not in payload.lower() and '"name":"Server 1234"' in payload
