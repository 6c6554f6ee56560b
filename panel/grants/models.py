from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .permissions import normalize


class Grant(models.Model):
    """Permission keys for one user or one team, on one server or on every server of a
    connection, until `expires_at` (or for good).

    Every grant includes `server.view`, so "may see" is "has a grant". A member of a team
    holds the team's grants; what a user may do is the union of their own and their teams'
    grants that have not expired (panel.grants.access, the one place that reads them).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="grants",
    )
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
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
    # An expired grant gives nothing (filtered in every query); no job removes it.
    expires_at = models.DateTimeField(null=True, blank=True)
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
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, team__isnull=True)
                    | Q(user__isnull=True, team__isnull=False)
                ),
                name="grant_one_subject",
            ),
            models.UniqueConstraint(
                fields=["user", "server"],
                condition=Q(server__isnull=False, user__isnull=False),
                name="grant_unique_user_server",
            ),
            models.UniqueConstraint(
                fields=["user", "connection"],
                condition=Q(connection__isnull=False, user__isnull=False),
                name="grant_unique_user_connection",
            ),
            models.UniqueConstraint(
                fields=["team", "server"],
                condition=Q(server__isnull=False, team__isnull=False),
                name="grant_unique_team_server",
            ),
            models.UniqueConstraint(
                fields=["team", "connection"],
                condition=Q(connection__isnull=False, team__isnull=False),
                name="grant_unique_team_connection",
            ),
        ]

    def __str__(self) -> str:
        scope = f"server {self.server_id}" if self.server_id else f"connection {self.connection_id}"
        return f"{self.subject} on {scope}: {', '.join(self.keys)}"

    def save(self, *args, **kwargs):
        self.keys = normalize(self.keys)
        super().save(*args, **kwargs)

    def clean(self):
        try:
            self.keys = normalize(self.keys)
        except ValueError as error:
            raise ValidationError({"keys": str(error)}) from None

    @property
    def subject(self):
        """The user or the team this grant is for."""
        return self.user if self.user_id else self.team

    @property
    def scope(self) -> dict:
        """{"server": row} or {"connection": row}: the keyword arguments of the services."""
        return {"server": self.server} if self.server_id else {"connection": self.connection}

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def last_day(self):
        """The last day of access when the grant ends at a midnight (as the form sets it:
        "Last day of access"), in the panel's time zone; else None."""
        if self.expires_at is None:
            return None
        local = timezone.localtime(self.expires_at)
        if local.time() != local.time().min:
            return None
        return (local - timedelta(days=1)).date()
