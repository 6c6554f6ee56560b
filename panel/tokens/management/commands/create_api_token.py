"""python manage.py create_api_token USERNAME --name NAME [--application] [--scopes ...]

Prints the new token and nothing else (for automation and the demo). A personal token
acts as USERNAME; with --application, USERNAME (a panel admin) makes a token of the panel.
Without --scopes, every scope such a token may have. Audited like the page's Create token.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from panel.core.actors import Actor
from panel.tokens import services
from panel.tokens.scopes import SCOPES, offered


class Command(BaseCommand):
    help = "Create an API token and print it (shown this once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument(
            "--application",
            action="store_true",
            help="A token of the panel (USERNAME must be a panel admin), not of USERNAME.",
        )
        parser.add_argument(
            "--scopes",
            nargs="+",
            choices=sorted(SCOPES),
            metavar="SCOPE",
            help=f"Some of: {', '.join(SCOPES)} (default: all it may have).",
        )

    def handle(self, *args, username, name, application, scopes, **options):
        user = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            raise CommandError(f"There is no active user {username!r}.")
        if not name.strip() or len(name) > 60:
            raise CommandError("--name takes 1 to 60 characters.")
        if scopes is None:
            scopes = [scope.name for scope in offered(user, application=application)]
        try:
            _token, secret = services.create(
                Actor.person(user),
                name=name.strip(),
                application=application,
                scopes=scopes,
                via="manage.py create_api_token",
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        self.stdout.write(secret)
