"""The upgrade page: current and offered packages side by side, confirmation by name,
one operation and one order per press, followed by a real worker until the server has
the new package."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.grants import services as grant_services
from panel.operations import tasks
from panel.operations.models import Operation
from panel.orders.services import NOT_ORDERABLE
from terrahost_client.errors import NotSupported
from terrahost_client.resources import UpgradesClient
from terrahost_client.sandbox.catalog import PACKAGES_BY_ID

from ..conftest import calls, wait_for

LIST = "GET /servers/{id}/upgrade"
ORDER = "POST /servers/{id}/upgrade"
KEY = "a" * 32


def url(server, query=""):
    return reverse("orders:upgrade", args=[server.pk]) + query


def first_package(sandbox, server):
    """The sandbox's smallest package above this server's (pkg_id style)."""
    record = sandbox.state.servers[server.srv_id]
    return next(p for p in PACKAGES_BY_ID.values() if p.ram_mb > record.ram * 1024)


def confirm(client, server, package_id, name=None, key=KEY):
    return client.post(
        url(server),
        {
            "package": package_id,
            "confirm_name": name or server.display_name,
            "idempotency_key": key,
        },
    )


def test_it_needs_upgrade_order_and_calls_nothing(bob_client, servers, sandbox):
    for response in (bob_client.get(url(servers[0])), confirm(bob_client, servers[0], 3)):
        assert response.status_code == 403
    assert calls(sandbox, LIST) == calls(sandbox, ORDER) == 0


def test_it_is_404_for_a_stranger(charlie_client, servers, sandbox):
    assert charlie_client.get(url(servers[0])).status_code == 404
    assert confirm(charlie_client, servers[0], 3).status_code == 404
    assert calls(sandbox, ORDER) == 0


def test_it_shows_the_current_package_beside_the_offered_ones(client, person, servers, sandbox):
    client.force_login(person("upgrade.order"))
    response = client.get(url(servers[0]))
    assert response.status_code == 200
    text = response.text
    package = first_package(sandbox, servers[0])
    assert "Now" in text and package.product_name in text
    assert f'name="package" value="{package.pkg_id}"' in text
    assert "CPU cores" in text and "Memory" in text and "Disk" in text


def test_prices_show_only_with_billing_view(client, alice, person, servers, sandbox):
    package = first_package(sandbox, servers[0])
    client.force_login(person("upgrade.order"))
    text = client.get(url(servers[0])).text
    assert package.price not in text and "Price a month" not in text
    text = client.get(url(servers[0], f"?package={package.pkg_id}")).text
    assert package.price not in text
    buyer = person("upgrade.order")
    # The provider's prices: billing.view on the whole connection (the account's key).
    grant_services.grant(alice, buyer, ["billing.view"], connection=servers[0].connection)
    client.force_login(buyer)
    text = client.get(url(servers[0])).text
    assert package.price in text and "Price a month" in text


def test_a_package_without_an_orderable_id_is_shown_but_not_offered(
    alice_client, servers, sandbox, queued
):
    mail = servers[4]  # its list has product_id and rate_monthly, no pkg_id
    text = alice_client.get(url(mail)).text
    assert NOT_ORDERABLE in text
    assert 'name="package"' not in text
    record = sandbox.state.servers[mail.srv_id]
    product_id = next(p.product_id for p in PACKAGES_BY_ID.values() if p.ram_mb > record.ram * 1024)
    response = confirm(alice_client, mail, product_id)
    assert response.status_code == 400
    assert calls(sandbox, ORDER) == 0 and not Operation.objects.exists() and not queued


def test_the_confirmation_asks_for_the_server_name(alice_client, servers, sandbox, queued):
    package = first_package(sandbox, servers[0])
    text = alice_client.get(url(servers[0], f"?package={package.pkg_id}")).text
    assert "Upgrade now" in text and "Type the server" in text and "paid order" in text
    response = confirm(alice_client, servers[0], package.pkg_id, name="not-the-name")
    assert response.status_code == 400
    assert "exactly" in response.text
    assert not Operation.objects.exists() and not queued and calls(sandbox, ORDER) == 0


def test_a_double_submit_makes_one_operation_and_one_order(alice_client, servers, sandbox, queued):
    package = first_package(sandbox, servers[0])
    first = confirm(alice_client, servers[0], package.pkg_id)
    second = confirm(alice_client, servers[0], package.pkg_id)
    assert first.status_code == second.status_code == 302
    op = Operation.objects.get()
    assert op.kind == "upgrade" and op.input["pkg_id"] == package.pkg_id
    assert queued == [op.pk]
    tasks.run_operation(op.pk)
    tasks.run_operation(op.pk)  # a redelivered task sends nothing
    assert calls(sandbox, ORDER) == 1


def test_a_refusal_is_shown_in_terrahosts_words(alice_client, servers, sandbox, queued):
    sandbox.state.servers[servers[0].srv_id].upgrading = True
    package = first_package(sandbox, servers[0])
    confirm(alice_client, servers[0], package.pkg_id)
    op = Operation.objects.get()
    tasks.run_operation(op.pk)
    op.refresh_from_db()
    assert op.status == Operation.Status.FAILED
    assert "An upgrade is already in progress." in op.error
    assert "An upgrade is already in progress." in alice_client.get(url(servers[0])).text


def test_a_405_is_shown_in_terrahosts_words(alice_client, servers, sandbox, queued, monkeypatch):
    def refuse(self, srv_id, pkg_id):
        raise NotSupported(405, "Upgrades are not available for this server.")

    monkeypatch.setattr(UpgradesClient, "order", refuse)
    confirm(alice_client, servers[0], first_package(sandbox, servers[0]).pkg_id)
    op = Operation.objects.get()
    tasks.run_operation(op.pk)
    op.refresh_from_db()
    assert "Upgrades are not available for this server." in op.error


def test_the_server_page_offers_the_button_to_holders_only(client, person, servers, bob):
    client.force_login(person("upgrade.order"))
    assert ">Upgrade</button>" in client.get(reverse("servers:detail", args=[servers[0].pk])).text
    client.force_login(bob)
    assert (
        ">Upgrade</button>" not in client.get(reverse("servers:detail", args=[servers[0].pk])).text
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_follows_the_upgrade_until_the_server_has_it(
    worker, alice_client, servers, sandbox
):
    server = servers[0]
    package = first_package(sandbox, server)
    assert confirm(alice_client, server, package.pkg_id).status_code == 302
    op = Operation.objects.get()
    wait_for(lambda: calls(sandbox, ORDER) == 1)
    wait_for(lambda: Operation.objects.get(pk=op.pk).progress.startswith("Upgrading"))
    sandbox.advance(61)
    wait_for(lambda: Operation.objects.get(pk=op.pk).status == Operation.Status.SUCCEEDED)
    record = sandbox.state.servers[server.srv_id]
    assert record.cores == package.cores
    poll = alice_client.get(
        url(server), headers={"HX-Request": "true", "HX-Target": "upgrade-state"}
    )
    assert poll.status_code == 286
    assert f"now has {package.product_name}" in poll.text and "Done" in poll.text
    assert f"<dd>{package.cores}</dd>" in poll.text  # what it has now, read again
    assert calls(sandbox, ORDER) == 1
