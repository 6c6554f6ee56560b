from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .images import MAX_FAVICON_BYTES, MAX_LOGO_BYTES, BadImage, sniff
from .models import Brand, BrandHost
from .services import COLOR, normalize_host

HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)


class BrandForm(forms.ModelForm):
    hosts = forms.CharField(
        label=gettext_lazy("Host names"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One per line, e.g. panel.example.com. People who open the panel under one of "
            "these names see this brand. Each name must also be allowed in "
            "PANEL_ALLOWED_HOSTS."
        ),
    )
    logo_file = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/svg+xml,image/jpeg,image/webp"}
        ),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the current logo"), required=False)
    favicon_file = forms.FileField(
        label=gettext_lazy("Browser tab icon (favicon)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/svg+xml,image/x-icon,image/jpeg,image/webp"}
        ),
    )
    remove_favicon = forms.BooleanField(
        label=gettext_lazy("Remove the current icon"), required=False
    )
    support_url = forms.URLField(
        label=gettext_lazy("Support page"),
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy("A page where customers get help (https://…)."),
    )

    class Meta:
        model = Brand
        fields = [
            "name",
            "hosts",
            "primary_color",
            "logo_file",
            "remove_logo",
            "favicon_file",
            "remove_favicon",
            "support_email",
            "support_url",
            "footer_text",
            "show_provider",
        ]
        help_texts = {
            "name": gettext_lazy("Shown in the top bar, the browser tab, e-mails and error pages."),
            "primary_color": gettext_lazy(
                "Buttons, links and the top bar's line, as #rrggbb (e.g. #0f766e)."
            ),
            "support_email": gettext_lazy("Shown on the login page and in the footer."),
            "footer_text": gettext_lazy(
                "One line at the bottom of every page, e.g. your company name."
            ),
            "show_provider": gettext_lazy(
                "Off: customers without permission to see billing never see the provider's "
                "name or its host names. Turn on only if your customers may know them. "
                "Prices and invoices are shown only to people allowed to see billing, either way."
            ),
        }
        labels = {
            # footer_text has no verbose name of its own (a migration for a label is not worth it).
            "footer_text": gettext_lazy("Footer text"),
            "show_provider": gettext_lazy("Show the provider's name and host names to customers"),
        }
        widgets = {
            "primary_color": forms.TextInput(
                attrs={"placeholder": "#2563eb", "pattern": "#([0-9a-fA-F]{3}){1,2}", "size": 8}
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo_file"].help_text = _(
            "PNG, SVG, JPEG or WebP, up to %(size)s. Shown 28 pixels high beside the product name."
        ) % {"size": filesizeformat(MAX_LOGO_BYTES)}
        self.fields["favicon_file"].help_text = _("PNG, SVG or ICO, square, up to %(size)s.") % {
            "size": filesizeformat(MAX_FAVICON_BYTES)
        }
        if self.instance.pk:
            self.initial["hosts"] = "\n".join(self.instance.hosts.values_list("host", flat=True))
        if not self.instance.logo_type:
            del self.fields["remove_logo"]
        if not self.instance.favicon_type:
            del self.fields["remove_favicon"]

    def clean_primary_color(self):
        value = self.cleaned_data["primary_color"].strip()
        if not COLOR.match(value):
            raise ValidationError(
                _("Enter a colour as # and three or six hex digits, e.g. #0f766e.")
            )
        if len(value) == 4:  # #abc -> #aabbcc
            value = "#" + "".join(digit * 2 for digit in value[1:])
        return value.lower()

    def clean_hosts(self):
        hosts = []
        for line in re.split(r"[\s,]+", self.cleaned_data["hosts"]):
            if not line:
                continue
            host = normalize_host(
                line.removeprefix("https://").removeprefix("http://").split("/")[0]
            )
            if not HOST.match(host):
                raise ValidationError(
                    _("“%(value)s” is not a host name (like panel.example.com).") % {"value": line}
                )
            if host not in hosts:
                hosts.append(host)
        if not hosts:
            raise ValidationError(_("Enter at least one host name."))
        taken = BrandHost.objects.filter(host__in=hosts).exclude(brand_id=self.instance.pk)
        for bound in taken.select_related("brand"):
            raise ValidationError(
                _("%(host)s already shows the brand “%(brand)s”.")
                % {"host": bound.host, "brand": bound.brand.name}
            )
        return hosts

    def _image(self, field, limit):
        upload = self.cleaned_data.get(field)
        if not upload:
            return None
        if upload.size > limit:
            raise ValidationError(
                _("This file is %(size)s; the limit is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        data = upload.read()
        try:
            return data, sniff(data)
        except BadImage as error:
            raise ValidationError(str(error)) from None

    def clean_logo_file(self):
        image = self._image("logo_file", MAX_LOGO_BYTES)
        if image and image[1] == "image/x-icon":
            raise ValidationError(_("Use PNG, SVG, JPEG or WebP for the logo."))
        return image

    def clean_favicon_file(self):
        return self._image("favicon_file", MAX_FAVICON_BYTES)

    def save(self, commit=True):
        brand = super().save(commit=False)
        if self.cleaned_data.get("remove_logo"):
            brand.logo, brand.logo_type = b"", ""
        if self.cleaned_data.get("logo_file"):
            brand.logo, brand.logo_type = self.cleaned_data["logo_file"]
        if self.cleaned_data.get("remove_favicon"):
            brand.favicon, brand.favicon_type = b"", ""
        if self.cleaned_data.get("favicon_file"):
            brand.favicon, brand.favicon_type = self.cleaned_data["favicon_file"]
        brand.save()
        hosts = self.cleaned_data["hosts"]
        brand.hosts.exclude(host__in=hosts).delete()
        existing = set(brand.hosts.values_list("host", flat=True))
        BrandHost.objects.bulk_create(
            [BrandHost(brand=brand, host=host) for host in hosts if host not in existing]
        )
        return brand
