"""`manage.py seed_demo`: the demo's users, connection, customers, brand and grants. Safe
to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from panel.accounts.models import User
from panel.branding.models import Brand, BrandHost
from panel.connections import services as connections
from panel.connections.errors import ConnectionProblem
from panel.connections.models import Connection
from panel.core import crypto
from panel.core.actors import Actor
from panel.customers import services as customers
from panel.customers.models import Customer
from panel.grants import services as grants
from panel.grants.permissions import PRESETS
from panel.servers import mirror
from panel.servers.models import MirroredServer

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo login


class Command(BaseCommand):
    help = (
        'Create the demo: admin/demo (panel admin), a connection "Sandbox" with demo/demo '
        "and its servers; the customer Fjord Bakery (web-01, web-02; fjord-admin/demo, and "
        "customer/demo with Operator on both) and the customer Nordlys Media (db-primary, "
        "mail; brand Nordlys Cloud on localhost; nordlys-admin/demo, and nordlys-dev/demo "
        "with Viewer on db-primary); support/demo, staff limited to Nordlys Media. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--api-url",
            default=settings.TERRAHOST_API_URL,
            help="The Terrahost (sandbox) API URL; default TERRAHOST_API_URL.",
        )

    def handle(self, *args, api_url, **options):
        admin = self._user("admin", is_panel_admin=True)
        customer = self._user("customer")

        conn = Connection.objects.filter(name="Sandbox").first()
        if conn is None:
            new = connections.NewConnection(
                name="Sandbox", username="demo", password=DEMO_PASSWORD, base_url=api_url
            )
            try:
                conn = connections.add_connection(new, created_by=admin)
            except ConnectionProblem as problem:
                raise CommandError(f"Could not connect to {api_url}: {problem.message}") from None
            self.stdout.write(f"Connection Sandbox added ({api_url}).")
        elif self._needs_reset(conn, api_url):
            # A re-run repairs the demo connection: a new sandbox URL, a sandbox restarted
            # (its old tokens and 2FA state are gone), a key that changed.
            if conn.base_url != api_url:
                conn.base_url = api_url
                conn.save(update_fields=["base_url", "updated_at"])
            try:
                connections.update_password(conn, DEMO_PASSWORD)
            except ConnectionProblem as problem:
                raise CommandError(f"Could not connect to {api_url}: {problem.message}") from None
            self.stdout.write("Connection Sandbox logged in again with demo/demo.")

        outcome = mirror.refresh_connection(conn, force=True)
        if outcome.error:
            raise CommandError(f"Could not fetch the servers: {outcome.error}")
        servers = {
            name: MirroredServer.objects.filter(
                connection=conn, missing_since__isnull=True, name=name
            ).first()
            for name in ("web-01", "web-02", "db-primary", "mail")
        }
        lacking = [name for name, server in servers.items() if server is None]
        if lacking:
            raise CommandError(f"The sandbox does not list {', '.join(lacking)}.")
        with transaction.atomic():
            self._customers(admin, customer, servers)
        total = MirroredServer.objects.filter(connection=conn).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {total} servers; admin/demo sees all, customer/demo sees web-01 "
                "and web-02 (Fjord Bakery), nordlys-dev/demo sees db-primary (Nordlys Media)."
            )
        )

    def _customers(self, admin: User, member: User, servers: dict) -> None:
        actor = Actor.person(admin)
        brand = Brand.objects.filter(name="Nordlys Cloud").first()
        if brand is None:
            brand = Brand.objects.create(name="Nordlys Cloud", primary_color="#0f766e")
        BrandHost.objects.update_or_create(host="localhost", defaults={"brand": brand})

        fjord = self._customer("Fjord Bakery", None, actor)
        nordlys = self._customer("Nordlys Media", brand, actor)
        customers.assign(fjord, [servers["web-01"], servers["web-02"]], actor=actor)
        customers.assign(nordlys, [servers["db-primary"], servers["mail"]], actor=actor)

        self._user("fjord-admin", customer=fjord, role=User.CustomerRole.ADMIN)
        self._join(member, fjord, User.CustomerRole.MEMBER)
        for server in (servers["web-01"], servers["web-02"]):
            grants.grant(admin, member, PRESETS["operator"], server=server)
        self._user("nordlys-admin", customer=nordlys, role=User.CustomerRole.ADMIN)
        dev = self._user("nordlys-dev", customer=nordlys, role=User.CustomerRole.MEMBER)
        grants.grant(admin, dev, PRESETS["viewer"], server=servers["db-primary"])
        # Reseller staff limited to one customer (an account manager).
        self._user("support").managed_customers.add(nordlys)

    def _customer(self, name: str, brand: Brand | None, actor: Actor) -> Customer:
        customer = Customer.objects.filter(name=name).first()
        if customer is None:
            customer = customers.create(Customer(name=name, brand=brand), actor=actor)
            self.stdout.write(f"Customer {name} created.")
        elif brand is not None and customer.brand_id != brand.pk:
            customer.brand = brand
            customer.save(update_fields=["brand"])
        return customer

    @staticmethod
    def _join(user: User, customer: Customer, role: str) -> None:
        if (user.customer_id, user.customer_role) != (customer.pk, role):
            user.customer, user.customer_role = customer, role
            user.save(update_fields=["customer", "customer_role", "is_panel_admin"])

    @staticmethod
    def _needs_reset(conn: Connection, api_url: str) -> bool:
        if conn.base_url != api_url or conn.auth_state != Connection.AuthState.OK:
            return True
        try:
            conn.password  # noqa: B018 - can the current keys read it?
            conn.token  # noqa: B018
        except crypto.DecryptionError:
            return True
        return False

    def _user(self, username: str, *, is_panel_admin: bool = False, customer=None, role="") -> User:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_panel_admin": is_panel_admin}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            self.stdout.write(f"User {username}/{DEMO_PASSWORD} created.")
        if customer is not None:
            self._join(user, customer, role)
        return user
