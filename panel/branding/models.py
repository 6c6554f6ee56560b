"""Brands: what a reseller's customers see (name, logo, colour, support contacts), bound
to host names. The default brand is not a row: it comes from the environment
(PANEL_BRAND_*), see services.default_brand()."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Brand(models.Model):
    name = models.CharField(_("product name"), max_length=100)
    primary_color = models.CharField(_("primary colour"), max_length=7, default="#2563eb")
    # Images live in the database (not a media folder): every web replica serves them.
    logo = models.BinaryField(default=b"", blank=True)
    logo_type = models.CharField(max_length=40, blank=True)
    favicon = models.BinaryField(default=b"", blank=True)
    favicon_type = models.CharField(max_length=40, blank=True)
    support_email = models.EmailField(_("support e-mail"), blank=True)
    support_url = models.URLField(_("support page"), blank=True)
    footer_text = models.CharField(max_length=300, blank=True)
    show_provider = models.BooleanField(
        _("Show the provider's name and prices to customers"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class BrandHost(models.Model):
    """A host name (lower case, no port) a brand answers on; one brand per host."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="hosts")
    host = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["host"]

    def __str__(self) -> str:
        return self.host


class UserBrand(models.Model):
    """The brand a user last logged in through (None: the default brand): their e-mails
    carry it, since a background task has no Host to go by."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    brand = models.ForeignKey(Brand, on_delete=models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.brand_id or 'default'}"
