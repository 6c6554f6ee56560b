"""API tokens: a person's own (personal) or the panel's (application).

The secret (`pnl_` + 43 URL-safe characters) is shown once and never stored: the row keeps
its first characters (`prefix`, to find it and to tell tokens apart on the page) and an
HMAC-SHA256 of it keyed with a server-side pepper (settings.PANEL_API_PEPPERS), with the
pepper's id so that the pepper can rotate (panel.tokens.services).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal")
        APPLICATION = "application", _("Application")

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(max_length=12, choices=Kind, default=Kind.PERSONAL)
    # A personal token's owner: it never does more than they may at the moment of use, and
    # goes with them. An application token has none: it belongs to the panel and outlives
    # the admin who made it (created_by_name keeps who that was).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(max_length=150)
    scopes = models.JSONField(default=list)  # names from panel.tokens.scopes.SCOPES
    # With `limit_servers`, only these servers (a server gone from the mirror is gone from
    # here, and never widens the token to every server).
    limit_servers = models.BooleanField(default=False)
    servers = models.ManyToManyField("servers.MirroredServer", blank=True, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)
    # Addresses and networks (CIDR) it may be used from; empty: anywhere.
    allowed_ips = models.JSONField(default=list, blank=True)
    prefix = models.CharField(max_length=16, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    pepper_id = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_from = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="personal", owner__isnull=False)
                | Q(kind="application", owner__isnull=True),
                name="apitoken_owner_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def identity(self) -> str:
        """What keys in Redis (idempotency, rates) name it by: its id and the first
        characters of its secret, so that a database made afresh beside the same Redis never
        finds another token's keys there."""
        return f"{self.pk}-{self.prefix}"

    @property
    def is_application(self) -> bool:
        return self.kind == self.Kind.APPLICATION

    @property
    def actor_name(self) -> str:
        """The token as the audit log and operations name it (not translated: stored)."""
        if self.is_application:
            return f"API token '{self.name}' (application)"[:150]
        return f"API token '{self.name}' (of {self.owner.get_username()})"[:150]

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and not self.is_expired()
