"""Forms of the server page's actions. Each checks its input as Terrahost would, so a bad
value gets a message by the field and never reaches the API."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panel.core.outcomes import KEY_FIELD, new_key
from panel.core.scrub import scrub

NAME_MAX = 100  # what PUT /servers/{id}/name takes
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
MAX_NAME_SERVERS = 5


def dns_name_problem(value: str, *, full: bool = True) -> str:
    """Why `value` is not a host name for DNS (RFC 1123, at most 253 characters, one
    trailing dot allowed; with `full`, two labels or more), or "" when it is one."""
    name = value[:-1] if value.endswith(".") else value
    if not name:
        return _("Enter a host name, for example mail.example.com.")
    if len(name) > 253:
        return _("A host name has at most 253 characters.")
    labels = name.split(".")
    if full and len(labels) < 2:
        return _("Enter a full host name with a domain, for example mail.example.com.")
    for label in labels:
        if not LABEL.match(label):
            return _(
                "“%(label)s” is not allowed in a host name: use letters, digits and hyphens "
                "(not at the start or end), at most 63 characters between dots."
            ) % {"label": label}
    if labels[-1].isdigit():
        return _("A host name cannot end in a number.")
    return ""


class ActionForm(forms.Form):
    # Rendered with a fresh key; a form shown again with its errors keeps the one it sent
    # (nothing was done with it yet).
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, initial=new_key)

    def key(self) -> str:
        return self.cleaned_data.get(KEY_FIELD, "")


class RenameForm(ActionForm):
    name = forms.CharField(label=gettext_lazy("New name"), max_length=NAME_MAX)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Here, not on the field: the number goes into the sentence of the request's language.
        self.fields["name"].help_text = _(
            "What you call this server; at most %(max)s characters."
        ) % {"max": NAME_MAX}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if CONTROL.search(name):
            raise forms.ValidationError(_("The name cannot contain control characters."))
        return name


class PTRForm(ActionForm):
    """Reverse DNS of one IPv4 address."""

    hostname = forms.CharField(
        label=gettext_lazy("Hostname"),
        max_length=254,
        help_text=gettext_lazy("For example mail.example.com."),
    )

    def clean_hostname(self):
        value = self.cleaned_data["hostname"].strip().lower()
        problem = dns_name_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value.rstrip(".")


class DelegationForm(ActionForm):
    """Reverse DNS of one IPv6 subnet: delegated to one to five name servers."""

    nameservers = forms.CharField(
        label=gettext_lazy("Name servers"),
        max_length=5 * 254,
        help_text=gettext_lazy("One to five, separated by commas or spaces, e.g. ns1.example.com."),
    )

    def clean_nameservers(self):
        names = [n for n in re.split(r"[,\s]+", self.cleaned_data["nameservers"].lower()) if n]
        if not names:
            raise forms.ValidationError(_("Enter at least one name server."))
        if len(names) > MAX_NAME_SERVERS:
            raise forms.ValidationError(
                _("Enter at most %(max)s name servers.") % {"max": MAX_NAME_SERVERS}
            )
        for name in names:
            problem = dns_name_problem(name)
            if problem:
                raise forms.ValidationError(problem)
        return ", ".join(name.rstrip(".") for name in names)


class ConfirmForm(ActionForm):
    """A destructive or billable step confirmed by typing the server's name."""

    confirm_name = forms.CharField(
        label=gettext_lazy("Type the server's name to confirm"), max_length=255
    )

    def __init__(self, *args, server_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.server_name = server_name

    def clean_confirm_name(self):
        value = self.cleaned_data["confirm_name"].strip()
        # A white-labelled user sees a name like srv12.terrahost.no as "Server 12".
        if value not in (self.server_name, scrub(self.server_name)):
            raise forms.ValidationError(
                _("Type “%(name)s” exactly, to show you mean this server.")
                % {"name": self.server_name}
            )
        return value
