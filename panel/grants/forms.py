from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from panel.connections.models import Connection
from panel.core.ids import RowChoiceField, RowsChoiceField
from panel.servers.models import MirroredServer

from .access import grantable_connections, grantable_servers, offerable_keys
from .permissions import (
    KEYS,
    PRESET_HELP,
    PRESET_LABELS,
    PRESETS,
    checkboxes,
    grouped,
    preset_of,
)


def ends_on_to_expiry(day: date | None) -> datetime | None:
    """The day chosen as the last day of access -> the moment access ends (midnight after
    it, in the panel's time zone)."""
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def expiry_to_ends_on(expires_at: datetime | None) -> date | None:
    if expires_at is None:
        return None
    return (timezone.localtime(expires_at) - timedelta(microseconds=1)).date()


class GrantForm(forms.Form):
    """What to give (a preset or ticked permissions) and until when; on a new grant, also
    where (servers picked from a searchable list, or every server of a connection).

    `granter` limits the choices to what they may give: servers they see, connections they
    hold whole. The services check the keys (nobody gives what they do not hold).
    """

    preset = forms.ChoiceField(
        choices=[*PRESET_LABELS.items(), ("custom", pgettext_lazy("access preset", "Custom"))],
        initial="viewer",
        widget=forms.RadioSelect,
        label=gettext_lazy("Permissions"),
    )
    keys = forms.MultipleChoiceField(
        # The descriptions are marked in permissions.KEYS (gettext_noop).
        choices=[(key, gettext_lazy(text)) for key, text in KEYS.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    servers = RowsChoiceField(queryset=MirroredServer.objects.none(), required=False)
    connection = RowChoiceField(
        queryset=Connection.objects.none(),
        required=False,
        empty_label=gettext_lazy("— no, only the servers picked above —"),
        label=gettext_lazy("Or every server of a connection, including servers added later"),
    )
    ends_on = forms.DateField(
        required=False,
        label=gettext_lazy("Last day of access"),
        help_text=gettext_lazy(
            "Leave empty for access without an end. Access stops when this day ends."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, granter, grant=None, **kwargs):
        self.grant = grant
        if grant is not None:
            preset = preset_of(grant.keys)
            kwargs.setdefault(
                "initial",
                {
                    "preset": preset or "custom",
                    "keys": list(grant.keys),
                    "ends_on": expiry_to_ends_on(grant.expires_at),
                },
            )
        super().__init__(*args, **kwargs)
        # A customer's admin is offered their customer's ceiling only, and the presets
        # within it ("Manager" is then everything the customer may have).
        self.offered = offerable_keys(granter)
        self.offers_connections = False
        if grant is not None:  # the scope of a grant does not change; remove and give anew
            del self.fields["servers"]
            del self.fields["connection"]
        else:
            self.fields["servers"].queryset = grantable_servers(granter)
            connections = grantable_connections(granter).order_by("name")
            self.fields["connection"].queryset = connections
            self.offers_connections = connections.exists()

    def _preset(self, name: str) -> list[str]:
        return [key for key in PRESETS[name] if key in self.offered]

    def key_groups(self):
        """[(group, [(key, description, ticked), ...]), ...] for the checkboxes."""
        return checkboxes(self["keys"].value(), self.offered)

    def presets(self) -> list[dict]:
        """Each preset with what it includes, grouped in plain words (for the page) and as
        keys (for grants.js, which ticks them below when the preset is chosen)."""
        chosen = self["preset"].value()
        return [
            {
                "name": name,
                "label": str(label),
                "help": str(PRESET_HELP[name]),
                "groups": grouped(self._preset(name)),
                "keys": " ".join(self._preset(name)),
                "chosen": name == chosen,
            }
            for name, label in PRESET_LABELS.items()
        ]

    def clean_ends_on(self):
        day = self.cleaned_data.get("ends_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("That day has passed. Pick today or a later day."))
        return day

    def clean(self):
        data = super().clean()
        if self.grant is None:
            servers, connection = data.get("servers"), data.get("connection")
            if "servers" in data and "connection" in data:
                if not servers and not connection:
                    raise forms.ValidationError(_("Pick some servers, or a whole connection."))
                if servers and connection:
                    raise forms.ValidationError(_("Pick servers or a connection, not both."))
        preset = data.get("preset")
        if preset == "custom":
            if not data.get("keys"):
                self.add_error(
                    "keys", _("Tick at least one permission for Custom, or choose a preset.")
                )
            data["granted_keys"] = data.get("keys") or []
        elif preset in PRESETS:
            data["granted_keys"] = self._preset(preset)
        data["expires_at"] = ends_on_to_expiry(data.get("ends_on"))
        return data
