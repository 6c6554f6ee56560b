"""The account and invoices page of a connection."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from panel.connections.models import Connection
from tests.panel.conftest import calls
from tests.panel.core.test_layout import assert_no_inline_code
from tests.panel.servers.test_mirror import dead_cache

ACCOUNT = "GET /my/account"
INVOICES = "GET /my/invoices"
TABLE = {"HX-Request": "true", "HX-Target": "invoice-table"}


def _url(connection) -> str:
    return reverse("billing:account", args=[connection.pk])


def _numbers(response) -> list[str]:
    """The invoice numbers in the table, in order (row headers of the invoice table)."""
    table = response.text.partition('<table class="invoices">')[2]
    return re.findall(r'<th scope="row">([^<]*)</th>', table)


def _demo_account(sandbox):
    return sandbox.state.accounts["demo"]


def test_an_admin_sees_the_account_and_its_invoices(alice_client, connection, sandbox):
    for contact in _demo_account(sandbox).contacts:
        contact["contact_username"] = f"login-of-{contact['contact_id']}"
    response = alice_client.get(_url(connection))
    assert response.status_code == 200
    text = response.text
    for fact in (
        "Demo Hosting AS",
        "912345678",
        "Storgata 1",
        "3210 Sandefjord",
        "Vestfold",
        "+47 33 00 00 00",
        "demo@example.com",
        "billing@example.com",
        "Kari Nordmann",
        "ola@example.com",
        "+47 400 00 002",
    ):
        assert fact in text, fact
    assert "login-of-" not in text  # contacts' usernames are not shown
    assert _numbers(response) == ["24006", "24005", "24004", "24003", "24002", "24001"]
    # Money with two decimals: without VAT, VAT, with VAT.
    # Amounts carry their currency and the language's grouping.
    assert '<td class="num">1,490.50\xa0NOK</td>' in text
    assert '<td class="num">372.62\xa0NOK</td>' in text
    assert '<td class="num">1,863.12\xa0NOK</td>' in text
    assert text.count(">Unpaid</span>") == 2 and text.count(">Paid</span>") == 4
    assert '<th scope="col" aria-sort="descending">' in text  # the date column
    assert_no_inline_code(text, "billing page")


def test_one_upstream_call_per_endpoint_while_cached(alice_client, connection, sandbox):
    alice_client.get(_url(connection))
    alice_client.get(_url(connection))
    alice_client.get(_url(connection) + "?sort=number", headers=TABLE)
    assert calls(sandbox, ACCOUNT) == 1
    assert calls(sandbox, INVOICES) == 1


def test_without_redis_every_view_asks_terrahost(alice_client, connection, sandbox, caplog):
    with dead_cache():
        first = alice_client.get(_url(connection))
        second = alice_client.get(_url(connection))
    assert first.status_code == second.status_code == 200
    assert "Demo Hosting AS" in second.text
    assert calls(sandbox, ACCOUNT) == 2
    assert "The cache does not answer" in caplog.text


@pytest.mark.parametrize(
    "sort, numbers",
    [
        ("number", ["24001", "24002", "24003", "24004", "24005", "24006"]),
        ("-number", ["24006", "24005", "24004", "24003", "24002", "24001"]),
        ("date", ["24001", "24002", "24003", "24004", "24005", "24006"]),
        ("-due", ["24006", "24005", "24004", "24003", "24002", "24001"]),
        # 374.38 three times: the newest first either way.
        ("total", ["24006", "24005", "24003", "24002", "24004", "24001"]),
        ("-total", ["24001", "24004", "24002", "24006", "24005", "24003"]),
        ("paid", ["24006", "24005", "24004", "24003", "24002", "24001"]),
        ("nonsense", ["24006", "24005", "24004", "24003", "24002", "24001"]),
    ],
)
def test_it_sorts(alice_client, connection, sort, numbers):
    response = alice_client.get(_url(connection) + f"?sort={sort}")
    assert _numbers(response) == numbers


def test_sorting_swaps_only_the_table(alice_client, connection):
    response = alice_client.get(_url(connection) + "?sort=-number", headers=TABLE)
    text = response.text
    assert "<html" not in text and "Demo Hosting AS" not in text
    assert '<div id="invoice-table"' in text
    assert 'aria-sort="descending"' in text
    assert 'href="?sort=number"' in text  # the next click sorts ascending
    assert_no_inline_code(text, "invoice table")


def test_it_pages_25_invoices_at_a_time(alice_client, connection, sandbox):
    account = _demo_account(sandbox)
    template = account.invoices[0]
    account.invoices += [
        {**template, "inv_id": 9100 + n, "inv_number": 25000 + n, "inv_date": 1735689600 + n}
        for n in range(24)
    ]
    first = alice_client.get(_url(connection))
    assert len(_numbers(first)) == 25
    assert _numbers(first)[0] == "25023"
    assert "1\N{EN DASH}25 of 30" in first.text and 'rel="next"' in first.text
    second = alice_client.get(_url(connection) + "?page=2", headers=TABLE)
    assert _numbers(second) == ["24005", "24004", "24003", "24002", "24001"]
    assert "26\N{EN DASH}30 of 30" in second.text and 'rel="prev"' in second.text
    assert calls(sandbox, INVOICES) == 1


def test_a_failure_says_so_with_try_again(alice_client, connection, sandbox):
    sandbox.set_faults({"error_rate": 1.0, "routes": ["GET /my/invoices"]})
    response = alice_client.get(_url(connection) + "?sort=number")
    assert response.status_code == 200
    text = response.text
    assert "The account and invoices could not be loaded just now." in text
    assert "Terrahost had a problem answering" in text  # admins read why
    assert f'href="/billing/{connection.pk}/?sort=number">Try again</a>' in text
    assert "Demo Hosting AS" not in text
    assert_no_inline_code(text, "billing failure")
    # Failures are not cached.
    sandbox.set_faults({})
    assert "Demo Hosting AS" in alice_client.get(_url(connection)).text


def test_a_failure_during_sorting_shows_in_the_table(alice_client, connection, sandbox):
    sandbox.set_faults({"error_rate": 1.0})
    response = alice_client.get(_url(connection) + "?sort=number", headers=TABLE)
    assert response.status_code == 200
    assert '<div id="invoice-table"' in response.text
    assert "could not be loaded just now" in response.text


def test_customers_read_the_failure_in_plain_words_only(erin_client, connection, sandbox):
    sandbox.set_faults({"error_rate": 1.0})
    text = erin_client.get(_url(connection)).text
    assert "could not be loaded just now" in text
    assert "Terrahost" not in text


def test_a_connection_waiting_for_an_admin_says_so(alice_client, connection, sandbox):
    Connection.objects.filter(pk=connection.pk).update(auth_state="needs_reauth")
    text = alice_client.get(_url(connection)).text
    assert "could not be loaded just now" in text and "fresh code" in text
    assert calls(sandbox, ACCOUNT) == 0


def test_a_holder_of_billing_view_on_the_connection_sees_it(erin_client, connection):
    response = erin_client.get(_url(connection))
    assert response.status_code == 200
    assert "Demo Hosting AS" in response.text
    assert connection.name not in response.text  # customers never see connection names


def test_an_operator_without_billing_view_gets_403_and_no_call(bob_client, connection, sandbox):
    assert bob_client.get(_url(connection)).status_code == 403
    assert calls(sandbox, ACCOUNT) == calls(sandbox, INVOICES) == 0


def test_a_user_without_grants_gets_404(charlie_client, connection, sandbox):
    assert charlie_client.get(_url(connection)).status_code == 404
    assert calls(sandbox, ACCOUNT) == 0


def test_an_unknown_connection_is_404(alice_client, connection):
    assert alice_client.get(reverse("billing:account", args=[connection.pk + 1])).status_code == 404


def test_it_answers_only_get(alice_client, connection):
    assert alice_client.post(_url(connection)).status_code == 405
