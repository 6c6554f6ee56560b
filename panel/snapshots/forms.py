"""The Snapshots page's forms. A bad name gets a message by the field and no call."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.servers.forms import CONTROL, ActionForm

from .models import MAX_KEEP, SnapshotSchedule
from .services import NAME_MAX


class TakeSnapshotForm(ActionForm):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=NAME_MAX,
        error_messages={"required": gettext_lazy("Give the snapshot a name.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].help_text = _(
            "To tell this snapshot apart later; at most %(max)d characters."
        ) % {"max": NAME_MAX}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if CONTROL.search(name):
            raise forms.ValidationError(_("The name cannot contain control characters."))
        if not name:
            raise forms.ValidationError(_("Give the snapshot a name."))
        return name


HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class ScheduleForm(forms.Form):
    enabled = forms.BooleanField(label=gettext_lazy("Take snapshots on a schedule"), required=False)
    frequency = forms.ChoiceField(
        label=gettext_lazy("How often"), choices=SnapshotSchedule.Frequency.choices, initial="daily"
    )
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Day (weekly only)"),
        choices=SnapshotSchedule.WEEKDAYS,
        coerce=int,
        initial=0,
    )
    hour = forms.TypedChoiceField(label=gettext_lazy("Time"), choices=HOURS, coerce=int, initial=3)
    keep = forms.IntegerField(
        label=gettext_lazy("Snapshots to keep"),
        min_value=1,
        max_value=MAX_KEEP,
        initial=2,
        help_text=gettext_lazy(
            "The oldest snapshots this schedule took are deleted beyond this number; "
            "other snapshots are never touched. The provider limits snapshots per server "
            "and a new one is taken before the oldest is deleted, so keep fewer than that "
            "limit."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hour"].label = _("Time (%(zone)s)") % {"zone": settings.TIME_ZONE}
