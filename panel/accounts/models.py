from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A local user of the panel.

    Panel admins manage connections, users and grants, and see every server. Everyone
    else sees the servers their grants name.
    """

    is_panel_admin = models.BooleanField(
        "panel admin",
        default=False,
        help_text="Manages connections, users and grants, and sees every server.",
    )

    def save(self, *args, **kwargs):
        if self.is_superuser:
            self.is_panel_admin = True
        super().save(*args, **kwargs)
