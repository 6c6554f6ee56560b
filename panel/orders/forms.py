"""The order forms. Both are billable, so both are confirmed before anything is sent."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panel.servers.forms import ActionForm, ConfirmForm

# What each kind of address is, for people who do not run networks.
IP_TYPES = {
    "l3": (
        _("Routed (L3)"),
        _(
            "Routed to your server's main address: works at once, nothing to configure on the "
            "network side."
        ),
    ),
    "l2": (
        _("Same network segment (L2)"),
        _(
            "On the same network segment as the server: needs configuring on the server "
            "before it answers."
        ),
    ),
}


def ip_types(row) -> list[str]:
    """Virtual servers take only routed (L3) addresses (live and in the sandbox); L2 is
    offered only where the server is known to be dedicated hardware."""
    return ["l3"] if row.type in ("vps", "") else ["l3", "l2"]


class UpgradeForm(ConfirmForm):
    """The chosen package and the server's name typed out."""

    package = forms.CharField(widget=forms.HiddenInput, max_length=20)


class IPv4Form(ActionForm):
    ip_type = forms.ChoiceField(widget=forms.HiddenInput)

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ip_type"].choices = [(t, IP_TYPES[t][0]) for t in allowed]
