from django.conf import settings
from django.db import models
from django.utils import timezone

from panel.core.actors import ActorKind, Origin
from panel.core.outcomes import Result


class AppendOnly(Exception):
    """Audit entries are never changed or deleted (only pruned by age)."""


# Deleting a user, server or connection sets these to NULL; the text copies beside them
# keep the history readable. That is the only update an entry ever gets.
NULLABLE_LINKS = frozenset(
    {"actor", "actor_id", "server", "server_id", "connection", "connection_id"}
)


class AuditQuerySet(models.QuerySet):
    def update(self, **values):
        if set(values) - NULLABLE_LINKS or any(v is not None for v in values.values()):
            raise AppendOnly("Audit entries cannot be changed.")
        return super().update(**values)

    def delete(self):
        raise AppendOnly("Audit entries cannot be deleted; they expire by age (prune).")

    def prune(self, before) -> int:
        """Remove entries older than `before` (retention): the one way entries go."""
        return self.filter(at__lt=before)._raw_delete(self.db)


class AuditEntry(models.Model):
    """Who did what, when, to which server, and how it went. Append-only.

    `details` holds non-secret facts (old and new name, the address and hostname); secrets
    (passwords, tokens, codes) never reach it.
    """

    Result = Result

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    # A person, an API token, a schedule or the system; and the door they came through.
    actor_kind = models.CharField(max_length=10, choices=ActorKind, default=ActorKind.USER)
    origin = models.CharField(max_length=10, choices=Origin, default=Origin.WEB)
    action = models.CharField(max_length=50, db_index=True)
    server = models.ForeignKey(
        "servers.MirroredServer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    srv_id = models.BigIntegerField("Terrahost server id", null=True, blank=True)
    server_name = models.CharField(max_length=255, blank=True)
    connection = models.ForeignKey(
        "connections.Connection", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connection_name = models.CharField(max_length=100, blank=True)
    result = models.CharField(max_length=10, choices=Result, default=Result.OK)
    message = models.CharField(max_length=500, blank=True)
    source_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["server", "-at"], name="audit_server_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or '-'} {self.action} {self.result}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Audit entries cannot be deleted; they expire by age (prune).")
