from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from panel.core import crypto


class ConnectionQuerySet(models.QuerySet):
    def with_server_counts(self):
        """Each connection with `server_count` and `missing_count` (one query)."""
        return self.annotate(
            server_count=Count("servers"),
            missing_count=Count("servers", filter=Q(servers__missing_since__isnull=False)),
        )


class Connection(models.Model):
    """Stored credentials of one Terrahost account; its servers are mirrored locally.

    The password and the API token are encrypted (panel.core.crypto); the token is reused
    across requests and processes until shortly before it expires.
    """

    class AuthState(models.TextChoices):
        OK = "ok", _("Connected")
        NEEDS_REAUTH = "needs_reauth", _("Needs re-authentication")
        FAILED = "failed", _("Login refused")

    name = models.CharField(max_length=100)
    base_url = models.URLField("API URL", max_length=300)
    username = models.CharField(max_length=150)
    password_encrypted = models.TextField(editable=False)
    uses_2fa = models.BooleanField("two-factor authentication", default=False)
    token_encrypted = models.TextField(blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    auth_state = models.CharField(max_length=20, choices=AuthState, default=AuthState.OK)

    # The server mirror: last GET /servers attempt, last success, and the last problem.
    servers_checked_at = models.DateTimeField(null=True, blank=True)
    servers_refreshed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # "Main" and "main" would be two connections nobody can tell apart.
            models.UniqueConstraint(
                Lower("name"),
                name="connection_name_unique_ci",
                violation_error_message=_("A connection with this name already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def password(self) -> str:
        return crypto.decrypt(self.password_encrypted)

    @password.setter
    def password(self, value: str) -> None:
        self.password_encrypted = crypto.encrypt(value)

    @property
    def token(self) -> str:
        return crypto.decrypt(self.token_encrypted)

    @token.setter
    def token(self, value: str) -> None:
        self.token_encrypted = crypto.encrypt(value)

    def write(self, values: dict, *, where: dict | None = None) -> bool:
        """UPDATE this connection's row with `values` and, if a row was written, set them
        on this object too; returns whether it was written.

        `where` makes the write conditional on what the row holds now (e.g. "only if the
        token is still the one this request used"), so a request that started earlier
        cannot undo a newer write. Unlike save(), nothing else of this possibly stale
        object is written back.
        """
        written = Connection.objects.filter(pk=self.pk, **(where or {})).update(**values)
        if written:
            for name, value in values.items():
                setattr(self, name, value)
        return bool(written)

    @property
    def needs_reauth(self) -> bool:
        return self.auth_state == self.AuthState.NEEDS_REAUTH

    @property
    def has_problem(self) -> bool:
        return self.auth_state != self.AuthState.OK or bool(self.last_error)
