from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Connection


class CodeField(forms.RegexField):
    def __init__(self, **kwargs):
        # [0-9], not \d: \d also matches other scripts' digits ("١٢٣٤٥٦"); an
        # authenticator app shows ASCII digits, and those are what Terrahost checks.
        kwargs.setdefault("regex", r"^\s*[0-9]{6,8}\s*$")
        kwargs.setdefault("error_messages", {"invalid": _("Enter the 6-digit code, digits only.")})
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        return super().clean(value).strip()


class ConnectionAddForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("A name for this account inside the panel, e.g. “Main”."),
    )
    username = forms.CharField(max_length=150, label=_("Terrahost username"))
    password = forms.CharField(
        label=_("Terrahost password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    code = CodeField(
        required=False,
        label=_("2FA code"),
        help_text=_("Only if two-factor authentication is on for this account."),
    )
    base_url = forms.URLField(
        label=_("API URL"),
        max_length=300,
        assume_scheme="https",
        initial=lambda: settings.TERRAHOST_API_URL,
        help_text=_("Leave as it is unless you use a test API."),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Connection.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("A connection with this name already exists."))
        return name


class AddCodeForm(forms.Form):
    """The second step of adding a 2FA account: only the code (the rest waits in the
    session)."""

    step = forms.CharField(widget=forms.HiddenInput, initial="code", required=False)
    code = CodeField(label=_("2FA code"), help_text=_("The current 6-digit code from the app."))


class ReauthForm(forms.Form):
    code = CodeField(label=_("Fresh 2FA code"))


class PasswordUpdateForm(forms.Form):
    password = forms.CharField(
        label=_("New Terrahost password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    code = CodeField(required=False, label=_("2FA code"), help_text=_("If 2FA is on."))
