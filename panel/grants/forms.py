from django import forms

from panel.connections.models import Connection
from panel.servers.models import MirroredServer

from .permissions import KEYS, PRESET_LABELS, PRESETS


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
    servers = forms.ModelMultipleChoiceField(
        queryset=MirroredServer.objects.select_related("connection").order_by(
            "connection__name", "display_name"
        ),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text="Hold Ctrl (or ⌘) to pick several.",
    )
    connection = forms.ModelChoiceField(
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
