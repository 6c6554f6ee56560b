"""The Snapshots page's forms. A bad name gets a message by the field and no call."""

from django import forms
from django.conf import settings

from panel.servers.forms import CONTROL, ActionForm

from .models import MAX_KEEP, SnapshotSchedule
from .services import NAME_MAX


class TakeSnapshotForm(ActionForm):
    name = forms.CharField(
        label="Name",
        max_length=NAME_MAX,
        help_text=f"To tell this snapshot apart later; at most {NAME_MAX} characters.",
        error_messages={"required": "Give the snapshot a name."},
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if CONTROL.search(name):
            raise forms.ValidationError("The name cannot contain control characters.")
        if not name:
            raise forms.ValidationError("Give the snapshot a name.")
        return name


HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class ScheduleForm(forms.Form):
    enabled = forms.BooleanField(label="Take snapshots on a schedule", required=False)
    frequency = forms.ChoiceField(
        label="How often", choices=SnapshotSchedule.Frequency.choices, initial="daily"
    )
    weekday = forms.TypedChoiceField(
        label="Day (weekly only)", choices=SnapshotSchedule.WEEKDAYS, coerce=int, initial=0
    )
    hour = forms.TypedChoiceField(label="Time", choices=HOURS, coerce=int, initial=3)
    keep = forms.IntegerField(
        label="Snapshots to keep",
        min_value=1,
        max_value=MAX_KEEP,
        initial=2,
        help_text=(
            "The oldest snapshots this schedule took are deleted beyond this number; "
            "other snapshots are never touched. The provider limits snapshots per server "
            "and a new one is taken before the oldest is deleted, so keep fewer than that "
            "limit."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hour"].label = f"Time ({settings.TIME_ZONE})"
