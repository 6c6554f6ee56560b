"""Taking and deleting snapshots: validation before any call, one operation per press,
the provider's refusals in its own words. Tasks run here by hand (see test_worker.py for
a real worker)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.grants import services as grant_services
from panel.operations.models import Operation

from ..conftest import calls
from .conftest import run, snapshots_of, take_outside

KEY = "b" * 32


def take(client, server, name="nightly", key=KEY, **headers):
    return client.post(
        reverse("snapshots:take", args=[server.pk]),
        {"name": name, "idempotency_key": key},
        **headers,
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the snapshot a name."),
        ("   ", "Give the snapshot a name."),
        ("x" * 65, "at most 64 characters"),
        ("bad\x07name", "control characters"),
    ],
)
def test_a_bad_name_is_refused_with_no_call(bob_client, servers, sandbox, queued, name, message):
    response = take(bob_client, servers[0], name, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert not Operation.objects.exists() and not queued
    assert calls(sandbox, "POST /servers/{id}/snapshot") == 0


def test_without_javascript_a_bad_name_is_a_400_page(bob_client, servers, queued):
    response = take(bob_client, servers[0], "")
    assert response.status_code == 400
    assert "<html" in response.text and "Give the snapshot a name." in response.text


def test_take_snapshot_starts_one_operation(bob_client, bob, servers, queued):
    response = take(bob_client, servers[0], "  before the upgrade ", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    op = Operation.objects.get()
    assert (op.kind, op.input, op.initiator) == (
        "snapshot_create",
        {"name": "before the upgrade"},
        bob,
    )
    assert queued == [op.pk]
    assert "Snapshot was started" in response.text
    assert f'id="operation-{op.pk}"' in response.text  # followed on the page


def test_a_resubmitted_form_is_the_same_operation(bob_client, servers, queued):
    take(bob_client, servers[0])
    response = take(bob_client, servers[0], follow=True)
    assert Operation.objects.count() == 1 and len(queued) == 1
    assert "Snapshot was already started." in response.text


def test_a_viewer_gets_403_and_no_call(client, alice, servers, sandbox, queued):
    viewer = alice.__class__.objects.create_user("viewer", password="x")
    grant_services.grant(alice, viewer, ["server.view", "snapshot.view"], server=servers[0])
    client.force_login(viewer)
    before = sandbox.stats()["calls"]
    assert take(client, servers[0]).status_code == 403
    delete_url = reverse("snapshots:delete", args=[servers[0].pk, 123])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"idempotency_key": KEY}).status_code == 403
    assert not Operation.objects.exists()
    assert sandbox.stats()["calls"] == before


def test_a_snapshot_is_taken_and_followed_until_completed(bob_client, servers, sandbox, queued):
    server = servers[1]  # web-02: one snapshot already
    take(bob_client, server, "nightly")
    op = run(Operation.objects.get(), sandbox)
    assert op.status == "running"
    assert "Taking the snapshot “nightly”" in op.progress
    assert len(op.result["known_ids"]) == 1
    op = run(op, sandbox, advance=30)
    assert op.status == "succeeded", op.error
    new = next(s for s in snapshots_of(server) if s.display_name == "nightly")
    assert op.result["snap_id"] == new.id and new.is_completed
    html = bob_client.get(reverse("snapshots:list", args=[server.pk])).text
    assert "<td>nightly</td>" in html and html.count(">Completed</span>") == 2
    assert calls(sandbox, "POST /servers/{id}/snapshot") == 1


def test_an_older_namesake_is_not_taken_for_the_new_snapshot(bob_client, servers, sandbox, queued):
    server = servers[1]
    take_outside(server, "nightly")
    sandbox.advance(30)  # the older "nightly" is completed
    take(bob_client, server, "nightly")
    op = run(Operation.objects.get(), sandbox)
    assert op.status == "running"  # the new one is still pending: not done
    op = run(op, sandbox, advance=30)
    assert op.status == "succeeded"
    assert op.result["snap_id"] == max(s.id for s in snapshots_of(server))


def test_the_limit_is_shown_in_the_providers_words(bob_client, servers, sandbox, queued):
    server = servers[0]  # web-01: two snapshots; the provider allows three
    take_outside(server, "third")
    sandbox.advance(30)
    take(bob_client, server, "fourth")
    op = run(Operation.objects.get(), sandbox, checks=0)
    assert op.status == "failed"
    words = "Snapshot limit reached (3). Delete a snapshot first."
    assert op.error == f"The provider did not accept this: {words}"
    html = bob_client.get(reverse("snapshots:list", args=[server.pk])).text
    assert words in html


def test_a_server_without_the_feature_is_refused_in_the_providers_words(
    alice_client, servers, sandbox, queued
):
    take(alice_client, servers[3])  # dedicated: 405
    op = run(Operation.objects.get(), sandbox, checks=0)
    assert op.status == "failed"
    assert op.error == (
        "The provider did not accept this: This operation is not supported for this server."
    )


def test_delete_asks_first_without_javascript(bob_client, servers):
    snap = snapshots_of(servers[0])[0]
    response = bob_client.get(reverse("snapshots:delete", args=[servers[0].pk, snap.id]))
    assert response.status_code == 200
    assert f"Delete the snapshot “{snap.display_name}”?" in response.text
    assert "Delete snapshot</button>" in response.text
    assert not Operation.objects.exists()


def test_delete_removes_the_snapshot(bob_client, servers, sandbox, queued):
    server = servers[0]
    snap = snapshots_of(server)[0]
    response = bob_client.post(
        reverse("snapshots:delete", args=[server.pk, snap.id]),
        {"idempotency_key": KEY},
        HTTP_HX_REQUEST="true",
    )
    assert "Snapshot deletion was started" in response.text
    op = run(Operation.objects.get(kind="snapshot_delete"), sandbox)
    assert op.status == "succeeded", op.error
    assert snap.id not in [s.id for s in snapshots_of(server)]
    assert calls(sandbox, "DELETE /servers/{id}/snapshot/{snap_id}") == 1
    html = bob_client.get(reverse("snapshots:list", args=[server.pk])).text
    assert html.count("<td>before-upgrade-") == 1


def test_deleting_a_snapshot_that_is_not_listed_is_404(bob_client, servers, sandbox, queued):
    url = reverse("snapshots:delete", args=[servers[0].pk, 999999])
    assert bob_client.post(url, {"idempotency_key": KEY}).status_code == 404
    assert not Operation.objects.exists()


def test_a_snapshot_deleted_before_its_check_saw_it_ends_its_operation(
    bob_client, servers, sandbox, queued
):
    """Found by the fault run: the worker was down while the snapshot completed upstream,
    and someone deleted it meanwhile; its operation waited for 3 hours for it."""
    server = servers[1]
    take(bob_client, server, "nightly")
    create = run(Operation.objects.get(), sandbox)
    assert create.status == "running"
    sandbox.advance(30)
    new = next(s for s in snapshots_of(server) if s.display_name == "nightly")
    bob_client.post(
        reverse("snapshots:delete", args=[server.pk, new.id]),
        {"idempotency_key": "c" * 32},
        HTTP_HX_REQUEST="true",
    )
    assert run(Operation.objects.get(kind="snapshot_delete"), sandbox).status == "succeeded"
    create = run(create, sandbox)
    assert create.status == "succeeded", create.error
    assert (
        create.result["summary"] == "The snapshot “nightly” was taken, and has been deleted since."
    )


def test_deleting_an_older_namesake_does_not_end_the_operation(
    bob_client, servers, sandbox, queued
):
    server = servers[1]
    take_outside(server, "nightly")
    sandbox.advance(30)
    older = next(s for s in snapshots_of(server) if s.display_name == "nightly")
    take(bob_client, server, "nightly")
    create = run(Operation.objects.get(), sandbox)
    bob_client.post(
        reverse("snapshots:delete", args=[server.pk, older.id]),
        {"idempotency_key": "c" * 32},
        HTTP_HX_REQUEST="true",
    )
    assert create.status == "running"
    create = run(create, sandbox)
    assert create.status == "running"  # the new one is still being taken
