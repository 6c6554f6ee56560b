"""The Create token form: a name, scopes ticked in plain words, optionally servers (the
grants' searchable picker), a last day and the addresses it may be used from. A panel admin
also chooses between a personal token and an application token."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.core.ids import RowsChoiceField
from panel.grants.access import is_panel_admin, visible_servers
from panel.grants.forms import ends_on_to_expiry
from panel.servers.models import MirroredServer

from .models import ApiToken
from .scopes import SCOPES, offered
from .services import parse_networks


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=60,
        help_text=gettext_lazy("What it is for, e.g. “billing” or “backup script”."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[
            (
                ApiToken.Kind.PERSONAL,
                gettext_lazy("Personal: acts as you, and never does more than you may"),
            ),
            (
                ApiToken.Kind.APPLICATION,
                gettext_lazy(
                    "Application: acts as the panel (every server), and stays when you leave"
                ),
            ),
        ],
        initial=ApiToken.Kind.PERSONAL,
        widget=forms.RadioSelect,
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("What it may do"), widget=forms.CheckboxSelectMultiple
    )
    servers = RowsChoiceField(queryset=MirroredServer.objects.none(), required=False)
    ends_on = forms.DateField(
        required=False,
        label=gettext_lazy("Last day"),
        help_text=gettext_lazy(
            "Leave empty for a token without an end. It stops when this day ends."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    allowed_ips = forms.CharField(
        required=False,
        label=gettext_lazy("Allowed addresses"),
        help_text=gettext_lazy(
            "IP addresses or networks (e.g. 192.0.2.10 or 198.51.100.0/24), one per line. "
            "Leave empty to allow any address."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.admin = is_panel_admin(user)
        if not self.admin:
            del self.fields["kind"]
        # An admin may tick the application tokens' scopes too (checked in clean()).
        self.offered = offered(user, application=self.admin)
        self.fields["scopes"].choices = [(scope.name, scope.label) for scope in self.offered]
        self.fields["servers"].queryset = visible_servers(user)

    def scope_choices(self) -> list[dict]:
        """Each scope offered, with its words, for the checkboxes."""
        ticked = set(self["scopes"].value() or [])
        return [
            {
                "name": scope.name,
                "label": scope.label,
                "application_only": scope.application_only,
                "ticked": scope.name in ticked,
            }
            for scope in self.offered
        ]

    def clean_ends_on(self):
        day = self.cleaned_data.get("ends_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("That day has passed. Pick today or a later day."))
        return day

    def clean_allowed_ips(self):
        try:
            return parse_networks(self.cleaned_data.get("allowed_ips", ""))
        except ValueError as error:
            raise forms.ValidationError(
                _("“%(value)s” is not an IP address or network.") % {"value": error.args[0]}
            ) from None

    def clean(self):
        data = super().clean()
        data["application"] = data.get("kind") == ApiToken.Kind.APPLICATION
        data["expires_at"] = ends_on_to_expiry(data.get("ends_on"))
        if not data["application"]:
            only = [name for name in data.get("scopes", []) if SCOPES[name].application_only]
            if only:
                self.add_error(
                    "scopes",
                    _("Only application tokens may have: %(scopes)s.")
                    % {"scopes": ", ".join(only)},
                )
        return data
