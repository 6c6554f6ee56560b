"""ISO images: the list and its states, upload by URL (a long operation followed by a
real worker), Mount and Unmount (immediate actions), refusals in Terrahost's words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.connections.services import api
from panel.operations import tasks
from panel.operations.models import Operation
from terrahost_client.errors import NotSupported
from terrahost_client.resources import IsosClient

from ..conftest import calls, wait_for

LIST = "GET /servers/{id}/isos"
WRITE = "POST /servers/{id}/isos"
KEY = "d" * 32
URL = "https://releases.example.org/rescue-1.2.iso"
HTMX = {"HX-Request": "true", "HX-Target": "iso-state"}


def url(server, name="list"):
    return reverse(f"isos:{name}", args=[server.pk])


def upload(client, server, address=URL, key=KEY, **kwargs):
    return client.post(url(server, "upload"), {"url": address, "idempotency_key": key}, **kwargs)


def uploading(connection, server, address="https://example.net/slow.iso"):
    """An image the provider is still fetching (started outside the panel)."""
    with api(connection) as client:
        client.isos.upload(server.srv_id, address)
        return next(i for i in client.isos.list(server.srv_id) if i.url == address)


def ready_iso(sandbox):
    return next(i for i in sandbox.state.accounts["demo"].isos.values() if i.ready)


def test_it_needs_iso_manage_and_calls_nothing(bob_client, servers, sandbox):
    server = servers[0]
    assert bob_client.get(url(server)).status_code == 403
    for name in ("upload", "mount", "unmount"):
        response = bob_client.post(
            url(server, name), {"url": URL, "iso_id": 101, "idempotency_key": KEY}
        )
        assert response.status_code == 403, name
    assert calls(sandbox, LIST) == calls(sandbox, WRITE) == 0


def test_it_is_404_for_a_stranger(charlie_client, servers, sandbox):
    assert charlie_client.get(url(servers[0])).status_code == 404
    assert upload(charlie_client, servers[0]).status_code == 404
    assert calls(sandbox, WRITE) == 0


def test_the_list_shows_each_images_state(client, person, servers, connection, sandbox):
    client.force_login(person("iso.manage", server=servers[1]))
    slow = uploading(connection, servers[1])
    text = client.get(url(servers[1])).text
    assert "Ready" in text and "Mounted" in text and "Uploading" in text and slow.name in text
    assert ">Mount<" in text and ">Unmount<" in text and "Upload ISO" in text
    assert 'hx-trigger="every 5s"' in text  # follows the image being fetched
    sandbox.advance(61)
    poll = client.get(url(servers[1]), headers=HTMX)
    assert poll.status_code == 286 and "Uploading" not in poll.text


def test_the_server_page_has_the_tab_for_holders_only(client, person, servers, bob):
    detail = reverse("servers:detail", args=[servers[0].pk])
    client.force_login(person("iso.manage"))
    assert ">ISO images</a>" in client.get(detail).text
    client.force_login(bob)
    assert ">ISO images</a>" not in client.get(detail).text


@pytest.mark.parametrize(
    "address",
    [
        "ftp://example.org/rescue.iso",
        "https://example.org/rescue.img",
        "https://example.org/.iso",
        "example.org/rescue.iso",
        "https://example.org/my rescue.iso",
        "",
    ],
)
def test_a_url_the_api_would_refuse_is_refused_without_a_call(
    alice_client, servers, sandbox, queued, address
):
    response = upload(alice_client, servers[0], address)
    assert response.status_code == 400
    assert 'class="field-error"' in response.text
    htmx = upload(alice_client, servers[0], address, headers={"HX-Request": "true"})
    assert htmx.status_code == 422 and htmx["HX-Retarget"] == "#upload-form"
    assert "<html" not in htmx.text and 'class="field-error"' in htmx.text
    assert calls(sandbox, WRITE) == 0 and not Operation.objects.exists() and not queued


def test_a_double_submit_makes_one_operation_and_one_upload(alice_client, servers, sandbox, queued):
    first = upload(alice_client, servers[0], headers={"HX-Request": "true"})
    second = upload(alice_client, servers[0], headers={"HX-Request": "true"})
    assert first.status_code == second.status_code == 200
    assert 'id="upload-form"' in first.text and 'hx-swap-oob="true"' in first.text
    op = Operation.objects.get()
    assert op.kind == "iso_upload" and op.input == {"url": URL} and queued == [op.pk]
    tasks.run_operation(op.pk)
    tasks.run_operation(op.pk)
    assert calls(sandbox, WRITE) == 1


def test_mount_and_unmount_are_one_call_each(alice_client, servers, sandbox):
    server = servers[0]
    iso = ready_iso(sandbox)
    data = {"iso_id": iso.iso_id, "idempotency_key": KEY}
    mounted = alice_client.post(url(server, "mount"), data, headers=HTMX)
    again = alice_client.post(url(server, "mount"), data, headers=HTMX)  # a double click
    assert mounted.status_code == again.status_code == 200
    assert "is mounted" in mounted.text and ">Unmount<" in mounted.text
    assert sandbox.state.servers[server.srv_id].iso_id == iso.iso_id
    assert calls(sandbox, WRITE) == 1
    unmounted = alice_client.post(
        url(server, "unmount"), {"idempotency_key": "e" * 32}, headers=HTMX
    )
    assert "unmounted" in unmounted.text and ">Unmount<" not in unmounted.text
    assert sandbox.state.servers[server.srv_id].iso_id == 0
    assert calls(sandbox, WRITE) == 2


def test_mounting_an_unknown_image_is_404_without_a_write(alice_client, servers, sandbox):
    response = alice_client.post(
        url(servers[0], "mount"), {"iso_id": 99999, "idempotency_key": KEY}
    )
    assert response.status_code == 404
    assert calls(sandbox, WRITE) == 0


def test_a_refusal_is_shown_in_terrahosts_words(alice_client, servers, connection, sandbox):
    slow = uploading(connection, servers[0])
    data = {"iso_id": slow.id, "idempotency_key": KEY}
    response = alice_client.post(url(servers[0], "mount"), data, headers=HTMX)
    assert "The ISO is not ready yet: it is still uploading." in response.text


def test_a_405_is_shown_in_terrahosts_words(alice_client, servers, sandbox, monkeypatch):
    def refuse(self, srv_id, iso_id):
        raise NotSupported(405, "ISO images cannot be mounted on this server.")

    monkeypatch.setattr(IsosClient, "mount", refuse)
    data = {"iso_id": ready_iso(sandbox).iso_id, "idempotency_key": KEY}
    response = alice_client.post(url(servers[0], "mount"), data)  # without JavaScript
    assert response.status_code == 302
    page = alice_client.get(response["Location"]).text
    assert "ISO images cannot be mounted on this server." in page


def test_an_upload_refusal_is_shown_in_terrahosts_words(
    alice_client, servers, sandbox, queued, monkeypatch
):
    monkeypatch.setattr("terrahost_client.sandbox.api.MAX_ISOS", 0)
    upload(alice_client, servers[0])
    op = Operation.objects.get()
    tasks.run_operation(op.pk)
    op.refresh_from_db()
    assert op.status == Operation.Status.FAILED and "ISO limit reached (0)." in op.error


@pytest.mark.django_db(transaction=True)
def test_a_worker_follows_the_upload_until_the_image_is_ready(
    worker, alice_client, servers, sandbox
):
    server = servers[0]
    assert upload(alice_client, server).status_code == 302  # without JavaScript
    op = Operation.objects.get()
    wait_for(lambda: calls(sandbox, WRITE) == 1)
    wait_for(lambda: "downloading" in Operation.objects.get(pk=op.pk).progress)
    sandbox.advance(61)
    wait_for(lambda: Operation.objects.get(pk=op.pk).status == Operation.Status.SUCCEEDED)
    op.refresh_from_db()
    assert op.result["name"] == "rescue-1.2.iso"
    iso = sandbox.state.accounts["demo"].isos[op.result["iso_id"]]
    assert iso.url == URL and iso.ready
    text = alice_client.get(url(server)).text
    assert "rescue-1.2.iso" in text and "Done" in text
    assert calls(sandbox, WRITE) == 1
