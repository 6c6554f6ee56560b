"""The reinstall wizard's fields, checked step by step (each step's GET carries the
answers so far, so the wizard works without JavaScript and survives a reload)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panel.servers.forms import dns_name_problem

from .choices import (
    DEFAULT_KEYBOARD,
    DEFAULT_LANGUAGE,
    DEFAULT_TIMEZONE,
    KEYBOARDS,
    LANGUAGES,
    TIMEZONES,
)


class ChoiceText(forms.CharField):
    """A text box with a searchable list (<datalist>) that accepts only the list's values."""

    def __init__(self, values, datalist: str, **kwargs):
        self.values = values
        widget = forms.TextInput(attrs={"list": datalist, "autocomplete": "off"})
        super().__init__(max_length=64, widget=widget, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value not in self.values:
            raise forms.ValidationError(_("Pick one from the list."))


class SettingsForm(forms.Form):
    hostname = forms.CharField(
        label=_("Hostname"),
        max_length=253,
        help_text=_("The server's name on the network, e.g. web-01.example.com."),
    )
    language = ChoiceText(
        [code for code, _name in LANGUAGES],
        "languages",
        label=_("Language"),
        initial=DEFAULT_LANGUAGE,
    )
    keyboard = ChoiceText(
        [code for code, _name in KEYBOARDS],
        "keyboards",
        label=_("Keyboard"),
        initial=DEFAULT_KEYBOARD,
    )
    timezone = ChoiceText(TIMEZONES, "timezones", label=_("Time zone"), initial=DEFAULT_TIMEZONE)

    def clean_hostname(self):
        value = self.cleaned_data["hostname"].strip().lower().rstrip(".")
        problem = dns_name_problem(value, full=False)
        if problem:
            raise forms.ValidationError(problem.replace("host name", "hostname"))
        return value
