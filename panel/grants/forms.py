from django import forms

from panel.connections.models import Connection
from panel.servers.models import MirroredServer

from .permissions import KEYS, PRESET_LABELS, PRESETS

# Ids are 64-bit signed integers (BigAutoField). The database driver raises OverflowError
# for a larger number instead of finding nothing, so such a value never reaches a query.
ID_RANGE = range(-(2**63), 2**63)


def _is_id(value) -> bool:
    try:
        return int(value) in ID_RANGE
    except (TypeError, ValueError):
        return False


class RowChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for which anything but an id is "Select a valid choice"."""

    def to_python(self, value):
        if value not in self.empty_values and not _is_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        return super().to_python(value)


class RowsChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField for which anything but ids is "Select a valid choice"."""

    def clean(self, value):
        for item in value if isinstance(value, list | tuple) else []:
            if not _is_id(item):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], "invalid_choice", {"value": item}
                )
        return super().clean(value)


class GrantForm(forms.Form):
    preset = forms.ChoiceField(
        choices=[*PRESET_LABELS.items(), ("custom", "Custom: the keys ticked below")],
        initial="viewer",
        widget=forms.RadioSelect,
    )
    keys = forms.MultipleChoiceField(
        choices=[(key, f"{key}: {text}") for key, text in KEYS.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    servers = RowsChoiceField(
        queryset=MirroredServer.objects.select_related("connection").order_by(
            "connection__name", "display_name"
        ),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text="Hold Ctrl (or ⌘) to pick several.",
    )
    connection = RowChoiceField(
        queryset=Connection.objects.all(),
        required=False,
        empty_label="— none —",
        label="Or every server of a connection",
    )

    def clean(self):
        data = super().clean()
        servers, connection = data.get("servers"), data.get("connection")
        if not servers and not connection:
            raise forms.ValidationError("Pick some servers, or a whole connection.")
        if servers and connection:
            raise forms.ValidationError("Pick servers or a connection, not both.")
        preset = data.get("preset")
        if preset == "custom":
            data["granted_keys"] = data.get("keys") or []
        elif preset in PRESETS:
            data["granted_keys"] = list(PRESETS[preset])
        return data
