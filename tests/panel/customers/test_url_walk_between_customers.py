"""Every URL, walked by one customer's person against another customer's things: each
answer is the one for a thing that does not exist (or for a page they may not open at
all), and Terrahost is never asked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from panel.grants.models import Grant

from ..core.urlwalk import ADMIN, CONNECTION_KEYS, GET_ONLY, POST_ONLY, SERVER_SCOPED, url_builder


@pytest.fixture
def nordlys_url(servers, nina, connection):
    """URLs naming Nordlys's things: its server, its person, its person's grant."""
    grant = Grant.objects.filter(user=nina).first()
    return url_builder(connection=connection, server=servers[2], user=nina, grant=grant)


def _calls(sandbox) -> int:
    return sum(sum(by_status.values()) for by_status in sandbox.stats()["calls"].values())


@pytest.mark.parametrize("name", sorted(SERVER_SCOPED))
def test_another_customers_server_pages_are_404(client, dag, nordlys_url, sandbox, name):
    client.force_login(dag)
    url = nordlys_url(name)
    before = _calls(sandbox)
    assert client.get(url).status_code == (405 if name in POST_ONLY else 404), name
    assert client.post(url).status_code == (405 if name in GET_ONLY else 404), name
    assert _calls(sandbox) == before, name


@pytest.mark.parametrize("name", sorted(CONNECTION_KEYS))
def test_the_provider_account_is_not_there_for_customers(client, dag, nordlys_url, name):
    client.force_login(dag)
    assert client.get(nordlys_url(name)).status_code == 404


# Admin pages a customer's admin opens too, for their own customer's teams and servers.
CUSTOMER_ADMIN_PAGES = {
    "teams:list",
    "teams:create",
    "grants:server_picker",
    "audit:list",
    "customers:list",
    "webhooks:list",
    "webhooks:create",
}
# Admin pages naming one customer or person: a customer's admin opens their own customer's.
CUSTOMER_ADMIN_NAMING = {"customers:detail", "users:view_as"}
# ...and pages of their own customer's things, which the walk names of someone else (a
# webhook endpoint of the reseller's): not there for them.
CUSTOMER_ADMIN_THINGS = {
    "webhooks:detail",
    "webhooks:edit",
    "webhooks:rotate",
    "webhooks:test",
    "webhooks:delete",
    "webhooks:resend",
}


@pytest.mark.parametrize("name", sorted(ADMIN))
def test_reseller_pages_are_403_whatever_they_name(client, dag, ola, nordlys_url, name):
    url = nordlys_url(name)
    runs = CUSTOMER_ADMIN_PAGES | CUSTOMER_ADMIN_NAMING | CUSTOMER_ADMIN_THINGS
    for person in (ola, dag) if name not in runs else (ola,):
        client.force_login(person)
        assert client.get(url).status_code == 403, (name, person)
        assert client.post(url).status_code == 403, (name, person)


@pytest.mark.parametrize("name", sorted(CUSTOMER_ADMIN_THINGS))
def test_someone_elses_things_are_404_for_a_customer_admin(client, dag, nordlys_url, name):
    client.force_login(dag)
    url = nordlys_url(name)
    assert client.get(url).status_code == (405 if name in POST_ONLY else 404), name
    assert client.post(url).status_code == (405 if name in GET_ONLY else 404), name


@pytest.mark.parametrize("name", sorted(CUSTOMER_ADMIN_PAGES))
def test_a_customer_admins_pages_show_nothing_of_another_customer(
    client, alice, dag, nordlys, servers, name
):
    from panel.teams import services as team_services

    team_services.create_team(alice, "Aurora", customer=nordlys)
    client.force_login(dag)
    page = client.get(reverse(name))
    assert page.status_code == 200, name
    assert "Aurora" not in page.text and servers[2].display_name not in page.text, name
    if name == "grants:server_picker":  # and it does list their own
        assert servers[0].display_name in page.text


def test_another_customer_and_its_people_do_not_exist_for_a_customer_admin(
    client, dag, nina, nordlys, sandbox
):
    client.force_login(dag)
    detail = reverse("customers:detail", args=[nordlys.pk])
    assert client.get(detail).status_code == 404
    assert client.get(reverse("customers:detail", args=[999999])).status_code == 404
    view_as = reverse("users:view_as", args=[nina.pk])
    assert client.post(view_as).status_code == 404
    assert client.post(reverse("users:view_as", args=[999999])).status_code == 404
    assert client.get(reverse("site:home"), follow=True).context["user"] == dag  # not nina
