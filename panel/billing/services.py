"""A connection's Terrahost account and invoices, read from the API and cached briefly.

The cache is an optimisation: when Redis does not answer, a read is a miss and a write is
skipped, and the page asks Terrahost directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.utils.translation import gettext_lazy as _

from panel.connections.errors import ConnectionProblem, describe
from panel.connections.models import Connection
from panel.connections.services import api
from panel.core import softcache
from panel.core.sorting import header, parse_sort
from terrahost_client.errors import TerrahostError
from terrahost_client.models import Account, Invoice

logger = logging.getLogger(__name__)

# Invoices change a few times a month; a minute keeps paging and sorting off the API.
BILLING_TTL = 60
INVOICES_PER_PAGE = 25


# --- reading --------------------------------------------------------------------------------


@dataclass
class Billing:
    """The account and its invoices, or `error` (for an admin) when they could not be read."""

    account: Account | None = None
    invoices: list[Invoice] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.account is not None


def cache_key(connection: Connection) -> str:
    return f"billing:{connection.pk}"


def get_billing(connection: Connection) -> Billing:
    """GET /my/account and GET /my/invoices, cached for BILLING_TTL seconds (as the API's
    records, rebuilt into models on every read)."""
    key = cache_key(connection)
    cached = softcache.get(key)
    if cached is None:
        try:
            with api(connection) as client:
                cached = {
                    "account": client.account.get().raw,
                    "invoices": [invoice.raw for invoice in client.account.invoices()],
                }
        except ConnectionProblem as problem:
            return Billing(error=problem.message)
        except TerrahostError as error:
            logger.warning("The account of connection %s failed: %r", connection.pk, error)
            return Billing(error=describe(error))
        softcache.set(key, cached, BILLING_TTL)
    return Billing(
        account=Account.from_api(cached["account"]),
        invoices=[Invoice.from_api(record) for record in cached["invoices"]],
    )


# --- the invoice table ----------------------------------------------------------------------


def _number(invoice: Invoice):
    # Invoice numbers are digits as a rule: 9 before 10. Anything else after, as text.
    digits = invoice.number.isdigit()
    return (0, int(invoice.number), "") if digits else (1, 0, invoice.number)


SORTS = {
    "number": _number,
    "date": lambda invoice: invoice.date,
    "due": lambda invoice: invoice.due_date,
    "total": lambda invoice: invoice.total_with_vat,
    "paid": lambda invoice: invoice.is_paid,
}
DEFAULT_SORT = ("date", True)  # newest first
# (sort key or None when the column does not sort, label, CSS class)
COLUMNS = [
    ("number", _("Number"), ""),
    ("date", _("Date"), ""),
    ("due", _("Due date"), ""),
    (None, _("Without VAT"), "num"),
    (None, _("VAT"), "num"),
    ("total", _("With VAT"), "num"),
    ("paid", _("Status"), ""),
]


@dataclass
class InvoiceTable:
    page: Page
    sort: str
    descending: bool

    @property
    def columns(self) -> list[dict]:
        """The headers; sortable ones with the sort a click asks for and their aria-sort."""
        return [header(key, label, self.sort, self.descending, css) for key, label, css in COLUMNS]


def invoice_table(invoices: list[Invoice], *, sort: str = "", page: str | int = 1) -> InvoiceTable:
    sort_key, descending = parse_sort(sort, SORTS, DEFAULT_SORT)
    value = SORTS[sort_key]
    # Equal values keep the highest (newest) number first: the sorts below are stable.
    # Invoices without the value go last either way.
    ordered = sorted(invoices, key=_number, reverse=True)
    known = [invoice for invoice in ordered if value(invoice) is not None]
    unknown = [invoice for invoice in ordered if value(invoice) is None]
    known.sort(key=value, reverse=descending)
    paginator = Paginator(known + unknown, INVOICES_PER_PAGE)
    return InvoiceTable(page=paginator.get_page(page), sort=sort_key, descending=descending)
