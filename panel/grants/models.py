from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .permissions import normalize


class Grant(models.Model):
    """Permission keys for one user on one server, or on every server of a connection.

    Every grant includes `server.view`, so "may see" is "has a grant". The subject is a
    user today; a team FK will sit beside `user` (with the check constraint widened to
    "user or team") when teams arrive.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="grants"
    )
    server = models.ForeignKey(
        "servers.MirroredServer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
    )
    connection = models.ForeignKey(
        "connections.Connection",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
    )
    keys = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(server__isnull=False, connection__isnull=True)
                    | Q(server__isnull=True, connection__isnull=False)
                ),
                name="grant_one_scope",
            ),
            models.CheckConstraint(condition=Q(user__isnull=False), name="grant_has_subject"),
            models.UniqueConstraint(
                fields=["user", "server"],
                condition=Q(server__isnull=False),
                name="grant_unique_user_server",
            ),
            models.UniqueConstraint(
                fields=["user", "connection"],
                condition=Q(connection__isnull=False),
                name="grant_unique_user_connection",
            ),
        ]

    def __str__(self) -> str:
        scope = f"server {self.server_id}" if self.server_id else f"connection {self.connection_id}"
        return f"{self.user} on {scope}: {', '.join(self.keys)}"

    def save(self, *args, **kwargs):
        self.keys = normalize(self.keys)
        super().save(*args, **kwargs)

    def clean(self):
        try:
            self.keys = normalize(self.keys)
        except ValueError as error:
            raise ValidationError({"keys": str(error)}) from None
