from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.core.ids import parse_id
from panel.customers.models import Customer

from .log import LABELS
from .models import AuditEntry


class AuditFilterForm(forms.Form):
    """The audit page's filters (GET); every field is optional."""

    user = forms.CharField(required=False, max_length=150, label=gettext_lazy("User"))
    # The actions' choices are set per form: sorted by their label in the page's language.
    action = forms.ChoiceField(required=False, label=gettext_lazy("Action"))
    server = forms.CharField(
        required=False,
        max_length=255,
        label=gettext_lazy("Server"),
        help_text=gettext_lazy("Name or Terrahost id."),
    )
    result = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Result"),
        choices=[("", gettext_lazy("Any result")), *AuditEntry.Result.choices],
    )
    since = forms.DateField(
        required=False, label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.all(),
        required=False,
        label=gettext_lazy("Customer"),
        empty_label=gettext_lazy("Any customer"),
    )

    def __init__(self, *args, customers=None, **kwargs):
        """`customers`: those to filter by (None: no such filter, a customer's admin sees
        only theirs anyway)."""
        super().__init__(*args, **kwargs)
        actions = sorted(((key, str(text)) for key, text in LABELS.items()), key=lambda i: i[1])
        self.fields["action"].choices = [("", _("Any action")), *actions]
        if customers is None or not customers.exists():
            del self.fields["customer"]
        else:
            self.fields["customer"].queryset = customers

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return data

    def filter(self, entries):
        """`entries` narrowed by the valid filters (invalid ones are shown as errors)."""
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("user"):
            name = data["user"].strip()
            # Their own entries and those of their API tokens ("API token 'x' (of name)").
            entries = entries.filter(Q(actor_name__iexact=name) | Q(actor__username__iexact=name))
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("server"):
            term = data["server"].strip()
            if (srv_id := parse_id(term)) is not None:
                entries = entries.filter(srv_id=srv_id)
            else:
                entries = entries.filter(server_name__icontains=term)
        if data.get("result"):
            entries = entries.filter(result=data["result"])
        if data.get("customer"):
            customer = data["customer"]
            entries = entries.filter(Q(server__customer=customer) | Q(actor__customer=customer))
        if data.get("since"):
            entries = entries.filter(at__date__gte=data["since"])
        if data.get("until"):
            entries = entries.filter(at__date__lte=data["until"])
        return entries
