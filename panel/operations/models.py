from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panel.core import crypto
from panel.core.actors import ActorKind, Origin


class Operation(models.Model):
    """One long action (reinstall, snapshot, ISO, upgrade, IP order) carried out by Celery.

    The row is the truth people see: status and progress in plain words, the same after a
    reload, in another browser or for another user. `sent_at` is set, and committed, just
    before the one upstream write: a row with `sent_at` is never sent again, whatever
    happens to the worker (see tasks.py and the sweep).

    UNKNOWN: the write may or may not have reached Terrahost (a timeout or a dropped
    connection); the sweep settles it by reading state, never by sending it again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("In progress")
        UNKNOWN = "unknown", _("Checking")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING, Status.UNKNOWN)
    FINAL = (Status.SUCCEEDED, Status.FAILED)

    kind = models.CharField(max_length=30)
    server = models.ForeignKey(
        "servers.MirroredServer",
        null=True,
        on_delete=models.SET_NULL,
        related_name="operations",
    )
    srv_id = models.BigIntegerField("Terrahost server id")
    server_name = models.CharField(max_length=255, blank=True)
    connection = models.ForeignKey(
        "connections.Connection", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    initiator_name = models.CharField(max_length=150, blank=True)
    # The API token that started it: the run-time check applies the token's bounds too
    # (a revoked token stops a queued operation).
    token = models.ForeignKey(
        "tokens.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who the initiator is (a person, an API token, a schedule's owner) and the door the
    # command came through (web, api, schedule, bulk, approval).
    actor_kind = models.CharField(max_length=10, choices=ActorKind, default=ActorKind.USER)
    origin = models.CharField(max_length=10, choices=Origin, default=Origin.WEB)
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    progress = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    input = models.JSONField(default=dict, blank=True)  # non-secret: what was asked
    result = models.JSONField(default=dict, blank=True)  # non-secret: what came of it
    error = models.CharField(max_length=500, blank=True)  # plain words, for everyone
    error_detail = models.CharField(max_length=500, blank=True)  # technical, for admins
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    dismissed = models.BooleanField(default=False)
    # Reinstall only: the new root password until it is revealed once (or 24 h pass).
    root_password_encrypted = models.TextField(blank=True, editable=False)
    password_revealed_at = models.DateTimeField(null=True, blank=True)
    password_revealed_by = models.CharField(max_length=150, blank=True)
    password_wiped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One active operation per server and kind: a second reinstall waits its turn.
            models.UniqueConstraint(
                fields=["srv_id", "connection", "kind"],
                condition=Q(status__in=["queued", "running", "unknown"]),
                name="operation_one_active_per_server_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["server", "-created_at"], name="operation_server_created"),
            models.Index(fields=["status", "heartbeat_at"], name="operation_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.server_name or self.srv_id}: {self.status}"

    @property
    def label(self) -> str:
        from .kinds import KINDS

        kind = KINDS.get(self.kind)
        return kind.label if kind else self.kind

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def has_password(self) -> bool:
        return bool(self.root_password_encrypted)

    def store_password(self, password: str) -> None:
        """Keep a new root password (encrypted) until it is revealed; never overwrite one."""
        if password and not self.root_password_encrypted and not self.password_revealed_at:
            self.root_password_encrypted = crypto.encrypt(password)
            Operation.objects.filter(pk=self.pk, root_password_encrypted="").update(
                root_password_encrypted=self.root_password_encrypted
            )
