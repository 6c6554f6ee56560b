"""The endpoint form: where to send, which events, and (for panel admins) whose."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from panel.core.events import EVENTS
from panel.core.ids import RowChoiceField
from panel.customers.models import Customer

from .transport import is_public


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Where the panel sends a signed POST request for each event."),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("What it is for, e.g. “Billing system”."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=list(EVENTS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    customer = RowChoiceField(
        label=_("Whose events"),
        queryset=Customer.objects.all(),
        required=False,
        empty_label=_("Every event (the whole panel)"),
        help_text=_("A customer's endpoint hears only of that customer's servers and people."),
    )
    enabled = forms.BooleanField(
        label=_("Enabled"),
        required=False,
        help_text=_("When off, nothing is sent to it."),
    )

    def __init__(self, *args, choose_customer: bool, editing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not choose_customer:
            del self.fields["customer"]  # a customer's admin: their own customer's
        if not editing:
            del self.fields["enabled"]  # a new endpoint is on

    def clean_url(self):
        url = self.cleaned_data["url"]
        parts = urlsplit(url)
        if parts.username or parts.password:
            raise forms.ValidationError(_("Leave the user name and password out of the URL."))
        if not settings.PANEL_WEBHOOK_ALLOW_PRIVATE and not _may_be_public(parts.hostname or ""):
            raise forms.ValidationError(
                _("This address is on a private or local network: the panel does not send there.")
            )
        return url


def _may_be_public(host: str) -> bool:
    """False for a host that is certainly not public (a literal address, localhost); a
    host name is checked again, resolved, before every request."""
    host = host.rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return is_public(host)
