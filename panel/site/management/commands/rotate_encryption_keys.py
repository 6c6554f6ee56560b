"""`manage.py rotate_encryption_keys`: re-encrypt stored secrets with the first key.

Rotate: put a new key first in PANEL_ENCRYPTION_KEYS (keep the old ones after it), run this,
then drop the old keys.
"""

from django.core.management.base import BaseCommand

from panel.connections.services import rotate_secrets
from panel.operations.services import rotate_root_passwords
from panel.webhooks.services import rotate_secrets as rotate_webhook_secrets


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first key of PANEL_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        result = rotate_secrets()
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted the secrets of {result.rotated} connections.")
        )
        rotated, unreadable = rotate_root_passwords()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {rotated} waiting root passwords."))
        if unreadable:
            self.stderr.write(
                self.style.WARNING(
                    f"{unreadable} waiting root password(s) cannot be decrypted with any key; "
                    "left as they are (they are erased 24 hours after their reinstall)."
                )
            )
        rotated, unreadable = rotate_webhook_secrets()
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted the secrets of {rotated} webhooks."))
        if unreadable:
            self.stderr.write(
                self.style.WARNING(
                    f"{unreadable} webhook endpoint(s): no key decrypts their secret; left as "
                    "they are. Rotate their secret on their page."
                )
            )
        for name in result.undecryptable:
            self.stderr.write(
                self.style.WARNING(
                    f"{name}: no key in PANEL_ENCRYPTION_KEYS decrypts its stored secrets; "
                    "left as they are. Enter its password again on its connection page."
                )
            )
