"""Two client companies of the reseller: Fjord (servers 0 and 1) and Nordlys (2 and 3).

dag and ola are Fjord's people, nina is Nordlys's; each holds the Manager preset on their
customer's servers (the ceiling keeps the billable keys from them)."""

from __future__ import annotations

import pytest

from panel.accounts.models import User
from panel.customers.models import Customer
from panel.grants import services as grant_services
from panel.grants.permissions import PRESETS

from ..conftest import PASSWORD, log_in


@pytest.fixture
def fjord(servers):
    customer = Customer.objects.create(name="Fjord Bakery", external_ref="C-100")
    for server in servers[:2]:
        server.customer = customer
        server.save(update_fields=["customer"])
    return customer


@pytest.fixture
def nordlys(servers):
    customer = Customer.objects.create(name="Nordlys Media")
    for server in servers[2:4]:
        server.customer = customer
        server.save(update_fields=["customer"])
    return customer


def _person(name, customer, servers, alice, role=User.CustomerRole.MEMBER):
    user = User.objects.create_user(
        name, f"{name}@example.org", PASSWORD, customer=customer, customer_role=role
    )
    for server in servers:
        grant_services.grant(alice, user, PRESETS["manager"], server=server)
    return user


@pytest.fixture
def dag(alice, fjord, servers):
    return _person("dag", fjord, servers[:2], alice, User.CustomerRole.ADMIN)


@pytest.fixture
def ola(alice, fjord, servers):
    return _person("ola", fjord, servers[:2], alice)


@pytest.fixture
def nina(alice, nordlys, servers):
    return _person("nina", nordlys, servers[2:4], alice)


@pytest.fixture
def dag_client(client, dag):
    log_in(client, dag)
    return client
