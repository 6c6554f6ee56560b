"""`manage.py seed_demo`: the demo's users, connection and grants. Safe to run again."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from panel.accounts.models import User
from panel.connections import services as connections
from panel.connections.errors import ConnectionProblem
from panel.connections.models import Connection
from panel.core import crypto
from panel.grants import services as grants
from panel.grants.permissions import PRESETS
from panel.servers import mirror
from panel.servers.models import MirroredServer

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo login


class Command(BaseCommand):
    help = (
        "Create the demo users admin/demo (panel admin) and customer/demo, a connection "
        '"Sandbox" with demo/demo, fetch its servers, and grant customer two of them '
        "(Operator). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--api-url",
            default=settings.TERRAHOST_API_URL,
            help="The Terrahost (sandbox) API URL; default TERRAHOST_API_URL.",
        )

    def handle(self, *args, api_url, **options):
        admin = self._user("admin", is_panel_admin=True)
        customer = self._user("customer", is_panel_admin=False)

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
        servers = list(
            MirroredServer.objects.filter(connection=conn, missing_since__isnull=True).order_by(
                "srv_id"
            )[:2]
        )
        if len(servers) < 2:
            raise CommandError("The sandbox lists fewer than two servers.")
        with transaction.atomic():
            for server in servers:
                grants.grant(admin, customer, PRESETS["operator"], server=server)
        total = MirroredServer.objects.filter(connection=conn).count()
        names = ", ".join(s.display_name for s in servers)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {total} servers; admin/demo sees all, customer/demo sees {names}."
            )
        )

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

    def _user(self, username: str, *, is_panel_admin: bool) -> User:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_panel_admin": is_panel_admin}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            self.stdout.write(f"User {username}/{DEMO_PASSWORD} created.")
        return user
