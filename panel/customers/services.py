"""Customers: assigning servers, suspending and reactivating, and what the executor asks
of a customer before any command of its people runs."""

from __future__ import annotations

import logging
from dataclasses import replace

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from panel.accounts.models import User
from panel.audit.log import record
from panel.audit.models import AuditEntry
from panel.core import events
from panel.core.actors import Actor, Origin
from panel.core.outcomes import Outcome, new_key, refused
from panel.users.services import send_welcome

from .models import Customer

logger = logging.getLogger(__name__)

SUSPENDED_MESSAGE = gettext_lazy(
    "Your company's account is suspended, so nothing can be changed. Please contact your "
    "provider's support."
)


def refusal(user) -> Outcome | None:
    """Why the executor refuses every command of this person now (their customer is
    suspended), or None. The ceiling is applied by grants.access with the grants."""
    if user is None or user.customer_id is None or not user.customer.is_suspended:
        return None
    return refused(SUSPENDED_MESSAGE, suspended=True)


def is_suspended_person(user) -> bool:
    return bool(user is not None and user.is_authenticated and refusal(user) is not None)


def assign(customer: Customer | None, servers, *, actor: Actor) -> int:
    """Assign `servers` to `customer` (None: back to the reseller). The old customer's
    people lose them on their next request (the access path reads the assignment)."""
    moved = 0
    for server in sorted(servers, key=lambda row: row.pk):  # audited in a stable order
        if server.customer_id == (customer.pk if customer else None):
            continue
        old = server.customer
        server.customer = customer
        server.save(update_fields=["customer"])
        moved += 1
        details = {"from": old.name if old else "", "to": customer.name if customer else ""}
        record("customer.server_assign", actor=actor, server=server, details=details)
    return moved


def suspend(customer: Customer, *, actor: Actor, power_off: bool = False) -> list[Outcome]:
    """Suspend the customer (its people are refused from their next request on); with
    `power_off`, each of its servers is powered off through the executor first, one
    command and one audit entry per server. The outcomes of those power-offs."""
    # Here, not at the top: the executor imports this module (refusal()).
    from panel.commands.executor import execute
    from panel.servers.commands import Power

    outcomes = []
    if power_off:
        # The same person or token, through the bulk door (a token needs servers:power).
        bulk = replace(actor, origin=Origin.BULK)
        for server in customer.servers.select_related("connection"):
            command = Power(actor=bulk, server=server, key=new_key(), power="off")
            outcomes.append(execute(command))
    with transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(
            status=Customer.Status.SUSPENDED, suspended_at=timezone.now()
        )
    record("customer.suspend", actor=actor, details={"customer": customer.name})
    customer.refresh_from_db()
    _announce("customer.suspended", customer)
    return outcomes


def reactivate(customer: Customer, *, actor: Actor) -> None:
    Customer.objects.filter(pk=customer.pk).update(status=Customer.Status.ACTIVE, suspended_at=None)
    record("customer.reactivate", actor=actor, details={"customer": customer.name})
    customer.refresh_from_db()
    _announce("customer.reactivated", customer)


def _announce(type: str, customer: Customer) -> None:
    facts = {"id": customer.pk, "name": customer.name, "external_ref": customer.external_ref}
    events.announce(type, {"customer": facts}, customer_id=customer.pk)


def create(customer: Customer, *, actor: Actor) -> Customer:
    """Save a new customer (from the form, not saved yet) and audit it."""
    customer.save()
    record("customer.create", actor=actor, details=_facts(customer))
    return customer


def update(customer: Customer, changed: list[str], *, actor: Actor) -> None:
    """Save a customer's changed details and audit what changed (by name)."""
    customer.save()
    details = {**_facts(customer), "changed": ", ".join(changed)}
    record("customer.update", actor=actor, details=details)


def _facts(customer: Customer) -> dict:
    facts = {"customer": customer.name, "ceiling": ", ".join(customer.ceiling)}
    if customer.external_ref:
        facts["external reference"] = customer.external_ref
    if customer.max_users is not None:
        facts["maximum users"] = customer.max_users
    return facts


def is_full(customer: Customer) -> bool:
    """Whether the customer has as many people as its maximum allows."""
    return customer.max_users is not None and customer.people.count() >= customer.max_users


def listing():
    """Every customer, by name, with how many servers and people it has and when its
    people or servers last appear in the audit log (`last_activity`)."""
    last = AuditEntry.objects.filter(
        Q(actor__customer=OuterRef("pk")) | Q(server__customer=OuterRef("pk"))
    ).order_by("-at")
    return Customer.objects.annotate(
        server_count=Count("servers", distinct=True),
        people_count=Count("people", distinct=True),
        last_activity=Subquery(last.values("at")[:1]),
    )


class Refused(Exception):
    """A change to a customer that its rules refuse; the text says why, in plain words."""


def add_person(
    customer: Customer,
    *,
    email: str,
    name: str = "",
    role: str = "member",
    username: str = "",
    invite: bool = True,
    actor: Actor,
):
    """A new person of `customer` (for billing systems): their username is `username` or
    their e-mail address; no password until they choose one through the welcome e-mail
    (`invite`), or ever (they come in by one-time sign-in links only)."""
    username = (username or email).strip()
    if User.objects.filter(username__iexact=username).exists():
        raise Refused(gettext("There is already a user with this username."))
    if is_full(customer):
        raise Refused(
            gettext("%(name)s already has its maximum of %(count)d users.")
            % {"name": customer.name, "count": customer.max_users}
        )
    first, _, last = name.strip().partition(" ")
    user = User(
        username=username,
        email=email,
        first_name=first[:150],
        last_name=last[:150],
        customer=customer,
        customer_role=role,
    )
    user.set_unusable_password()
    user.save()
    details = {"user": username, "customer": customer.name, "role": role, "invited": invite}
    record("user.create", actor=actor, details=details)
    if invite and email:
        transaction.on_commit(lambda: _welcome(user))
    return user


def _welcome(user) -> None:
    try:
        send_welcome(user)
    except OSError as error:  # the user exists; a reset link from their page can follow
        logger.warning("the welcome e-mail to user %s failed: %r", user.pk, error)


@transaction.atomic
def terminate(customer: Customer, *, actor: Actor) -> dict:
    """End a customer for good: its people (with their access and teams) are removed, its
    servers go back to the reseller, and the customer is deleted. What went, counted."""
    servers = list(customer.servers.select_related("connection"))
    assign(None, servers, actor=actor)
    people = User.objects.filter(customer=customer)
    counts = {
        "customer": customer.name,
        "people": people.count(),
        "teams": customer.teams.count(),
        "servers": len(servers),
    }
    people.delete()  # their grants and memberships go with them
    customer.teams.all().delete()  # the teams' grants and invitations too
    customer.delete()
    record("customer.terminate", actor=actor, details=counts)
    return counts
