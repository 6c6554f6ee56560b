"""The customers pages' forms: a customer's details and ceiling, servers to assign, and
the customer a server belongs to (on the server page)."""

from __future__ import annotations

from django import forms
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.grants.forms import RowChoiceField, RowsChoiceField
from panel.grants.permissions import ACCOUNT_KEYS, ALL_KEYS, KEYS, checkboxes
from panel.servers.models import MirroredServer

from .models import Customer, default_ceiling

# What a ceiling may hold: never the provider account's own data (staff only).
CEILING_KEYS = ALL_KEYS - ACCOUNT_KEYS


class KeyCheckboxes(forms.CheckboxSelectMultiple):
    """Permission checkboxes grouped and in plain words, as on the access pages."""

    def render(self, name, value, attrs=None, renderer=None):
        context = {"groups": checkboxes(value, CEILING_KEYS), "name": name}
        return render_to_string("grants/key_checkboxes.html", context)


class CustomerForm(forms.ModelForm):
    """Name, brand, contacts, notes, external reference, the ceiling (ticked in plain
    words, grouped as on the access pages) and an optional user limit."""

    ceiling = forms.MultipleChoiceField(
        # The descriptions are marked in permissions.KEYS (gettext_noop).
        choices=[(key, gettext_lazy(text)) for key, text in KEYS.items() if key in CEILING_KEYS],
        required=False,
        initial=default_ceiling,
        widget=KeyCheckboxes,
        label=gettext_lazy("What their people may ever be allowed"),
        help_text=gettext_lazy(
            "Their access never goes beyond this, whatever is given to them. Orders are off "
            "unless you tick them; the provider account's invoices and prices are never theirs."
        ),
    )

    class Meta:
        model = Customer
        fields = ["name", "brand", "contacts", "notes", "external_ref", "ceiling", "max_users"]
        labels = {
            "name": gettext_lazy("Name"),
            "brand": gettext_lazy("Brand"),
            "contacts": gettext_lazy("Contacts"),
            "notes": gettext_lazy("Notes"),
            "external_ref": gettext_lazy("External reference"),
            "max_users": gettext_lazy("Maximum number of users"),
        }
        help_texts = {
            "brand": gettext_lazy("What their people see: logo, colour and name."),
            "contacts": gettext_lazy("Who to call or write to at the customer."),
            "notes": gettext_lazy("For the reseller's staff only; the customer never sees them."),
            "external_ref": gettext_lazy(
                "The customer's number in your billing system, if any. No two customers share one."
            ),
            "max_users": gettext_lazy("Leave empty for no limit."),
        }
        widgets = {
            "contacts": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].empty_label = _("The panel's own brand")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = Customer.objects.exclude(pk=self.instance.pk)
        if others.annotate(lower=Lower("name")).filter(lower=name.lower()).exists():
            raise forms.ValidationError(_("There is a customer with this name already."))
        return name

    def clean_external_ref(self):
        ref = self.cleaned_data["external_ref"].strip()
        if ref and Customer.objects.exclude(pk=self.instance.pk).filter(external_ref=ref).exists():
            raise forms.ValidationError(_("Another customer has this external reference already."))
        return ref

    def clean_ceiling(self):
        # In the order of the access pages, whatever order the boxes came in.
        ticked = set(self.cleaned_data["ceiling"])
        return [key for key in KEYS if key in ticked]


class AssignForm(forms.Form):
    """Servers picked in the searchable picker (any server: one of another customer moves)."""

    servers = RowsChoiceField(
        queryset=MirroredServer.objects.all(),
        error_messages={"required": gettext_lazy("Pick at least one server.")},
    )


class ServerCustomerForm(forms.Form):
    """The customer a server belongs to; none: the reseller's own."""

    customer = RowChoiceField(
        queryset=Customer.objects.all(),
        required=False,
        label=gettext_lazy("Belongs to"),
        empty_label=gettext_lazy("The reseller (no customer)"),
    )
