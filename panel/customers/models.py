"""A customer: a client company of the reseller, sealed off from every other one.

Servers (MirroredServer.customer), people (User.customer) and teams (Team.customer) belong
to at most one customer; those without one are the reseller's staff. A panel without any
customer (a team's own panel) works as if this app were not there.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from panel.grants.permissions import ALL_KEYS

# Keys that cost the reseller money or show its provider account: off unless the reseller
# opens them for a customer.
BILLABLE = frozenset({"upgrade.order", "ip.order", "billing.view"})


def default_ceiling() -> list[str]:
    return sorted(ALL_KEYS - BILLABLE)


class Customer(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=100)
    brand = models.ForeignKey(
        "branding.Brand",
        verbose_name=_("brand"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    contacts = models.TextField(_("contacts"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The billing system's id for this customer (unique per panel when given).
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    suspended_at = models.DateTimeField(null=True, blank=True)
    # The permission keys this customer's people may ever hold, whatever their grants say.
    ceiling = models.JSONField(default=default_ceiling)
    max_users = models.PositiveIntegerField(_("maximum number of users"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="customer_unique_name_ci"),
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~models.Q(external_ref=""),
                name="customer_unique_external_ref",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED
