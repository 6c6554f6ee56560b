"""ISO forms. The URL is checked as Terrahost checks it, so a link it would refuse gets a
message by the field and never reaches the API."""

import re
from urllib.parse import urlsplit

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.core.ids import IdField
from panel.servers.forms import ActionForm

URL_MAX = 2048


def iso_url_problem(value: str) -> str:
    """Why Terrahost would refuse `value` as an ISO's URL, or "" when it takes it."""
    if len(value) > URL_MAX or re.search(r"\s", value):
        return _("Enter one web address without spaces, at most %(max)d characters.") % {
            "max": URL_MAX
        }
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return _("This is not a web address.")
    if parts.scheme not in ("http", "https") or not host:
        return _("Enter a web address that starts with http:// or https://.")
    if not parts.path.lower().endswith(".iso") or parts.path.endswith("/.iso"):
        return _("The address must point to an .iso file, e.g. https://example.com/rescue.iso.")
    return ""


class UploadForm(ActionForm):
    url = forms.CharField(
        label=gettext_lazy("Address of the ISO image"),
        max_length=URL_MAX,
        help_text=gettext_lazy(
            "A link to an .iso file (http:// or https://) that the provider downloads "
            "for you, e.g. https://example.com/rescue.iso."
        ),
        widget=forms.URLInput(attrs={"autocomplete": "off", "inputmode": "url"}),
    )

    def clean_url(self):
        value = self.cleaned_data["url"].strip()
        problem = iso_url_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


class MountForm(ActionForm):
    iso_id = IdField(min_value=1, widget=forms.HiddenInput)
