from io import StringIO

import pytest
from django.core.management import call_command

from panel.accounts.models import User
from panel.connections.models import Connection
from panel.grants.access import visible_servers
from panel.grants.models import Grant
from panel.grants.permissions import PRESETS
from tests.panel.conftest import API_URL


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_creates_the_demo_and_is_idempotent(db, sandbox):
    _seed()
    _seed()
    admin = User.objects.get(username="admin")
    customer = User.objects.get(username="customer")
    assert admin.is_panel_admin and admin.check_password("demo")
    assert not customer.is_panel_admin and customer.check_password("demo")
    conn = Connection.objects.get()
    assert conn.name == "Sandbox" and conn.base_url == API_URL
    assert visible_servers(admin).count() == 8
    assert visible_servers(customer).count() == 2
    grants = Grant.objects.filter(user=customer)
    assert grants.count() == 2
    assert all(g.keys == list(PRESETS["operator"]) for g in grants)


def test_it_fails_plainly_when_the_api_is_unreachable(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="could not be reached"):
        call_command("seed_demo", api_url="http://127.0.0.1:9/api/v3", stdout=StringIO())


@pytest.mark.parametrize("state", ["failed", "needs_reauth"])
def test_a_rerun_repairs_a_connection_that_waits_for_an_admin(db, sandbox, state):
    _seed()
    Connection.objects.filter(name="Sandbox").update(
        auth_state=state, token_encrypted="", last_error="Something went wrong."
    )
    output = _seed()
    assert "logged in again" in output
    conn = Connection.objects.get()
    assert conn.auth_state == "ok" and conn.last_error == ""
    assert conn.token and conn.password == "demo"
    assert visible_servers(User.objects.get(username="customer")).count() == 2


def test_a_rerun_repairs_credentials_from_a_lost_key(db, sandbox):
    from cryptography.fernet import Fernet

    _seed()
    other = Fernet(Fernet.generate_key())
    Connection.objects.filter(name="Sandbox").update(
        password_encrypted=other.encrypt(b"demo").decode(),
        token_encrypted=other.encrypt(b"x").decode(),
    )
    _seed()
    assert Connection.objects.get().password == "demo"


def test_a_rerun_that_changes_nothing_does_not_log_in_again(db, sandbox):
    from tests.panel.conftest import calls

    _seed()
    logins = calls(sandbox, "POST /authenticate")
    _seed()
    assert calls(sandbox, "POST /authenticate") == logins


def test_it_seeds_two_customers_with_their_servers_people_and_brand(db, sandbox):
    from panel.branding.models import BrandHost
    from panel.customers.models import Customer

    _seed()
    _seed()
    fjord = Customer.objects.get(name="Fjord Bakery")
    nordlys = Customer.objects.get(name="Nordlys Media")
    assert Customer.objects.count() == 2
    assert sorted(s.name for s in fjord.servers.all()) == ["web-01", "web-02"]
    assert sorted(s.name for s in nordlys.servers.all()) == ["db-primary", "mail"]
    people = {u.username: (u.customer, u.customer_role) for u in User.objects.all()}
    assert people == {
        "admin": (None, "member"),
        "customer": (fjord, "member"),
        "fjord-admin": (fjord, "admin"),
        "nordlys-admin": (nordlys, "admin"),
        "nordlys-dev": (nordlys, "member"),
        "support": (None, "member"),
    }
    assert all(u.check_password("demo") for u in User.objects.all())
    assert User.objects.get(username="admin").is_panel_admin
    assert not User.objects.filter(customer__isnull=False, is_panel_admin=True).exists()
    customer = User.objects.get(username="customer")
    assert sorted(s.name for s in visible_servers(customer)) == ["web-01", "web-02"]
    dev = User.objects.get(username="nordlys-dev")
    assert [s.name for s in visible_servers(dev)] == ["db-primary"]
    assert Grant.objects.get(user=dev).keys == list(PRESETS["viewer"])
    assert Grant.objects.count() == 3
    support = User.objects.get(username="support")
    assert support.customer is None and not support.is_panel_admin
    assert list(support.managed_customers.all()) == [nordlys]
    assert {s.name for s in visible_servers(support)} == {"db-primary", "mail"}
    brand = nordlys.brand
    assert brand.name == "Nordlys Cloud" and brand.primary_color != "#2563eb"
    assert BrandHost.objects.get(host="localhost").brand == brand
    assert fjord.brand is None
