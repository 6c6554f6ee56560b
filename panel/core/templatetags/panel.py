import json
from datetime import date, datetime, timedelta

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from panel.core.outcomes import new_key

register = template.Library()


@register.simple_tag(takes_context=True)
def htmx_csrf_headers(context) -> str:
    """`hx-headers="{...}"` carrying the CSRF token, JSON-encoded then HTML-escaped."""
    request = context["request"]
    return format_html('hx-headers="{}"', json.dumps({"X-CSRFToken": get_token(request)}))


@register.simple_tag
def action_key() -> str:
    """A fresh idempotency key for one action form (see panel.commands.executor)."""
    return new_key()


# --- Dates and times: one format per language (panel/formats/) -----------------------------


def _local(value):
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def when(value) -> str:
    """A moment: "30 Nov 2026 14:35" in English."""
    if not isinstance(value, datetime):
        return ""
    return formats.date_format(_local(value), "DATETIME_FORMAT")


@register.filter
def day(value) -> str:
    """A date: "30 Nov 2026" in English."""
    if not isinstance(value, date):
        return ""
    return formats.date_format(_local(value), "DATE_FORMAT")


@register.filter
def ago(value) -> str:
    """How long ago, in the largest unit: "just now" under a minute (never "0 minutes
    ago"), then "5 minutes ago", "2 hours ago", "3 days ago"."""
    if not isinstance(value, datetime):
        return ""
    now = timezone.now() if timezone.is_aware(value) else datetime.now()
    if now - value < timedelta(minutes=1):
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(value, now, depth=1)}


@register.filter
def money(value) -> str:
    """An amount with its currency, two decimals, grouped as the language groups them:
    "1,234.50 NOK" in English, "1 234,50 NOK" in Norwegian; "—" for no amount."""
    if value is None or value == "":
        return "—"
    amount = formats.number_format(value, 2, use_l10n=True, force_grouping=True)
    return f"{amount}\xa0{settings.PANEL_CURRENCY}"


# --- One way to show a server's type, on the list and on its page --------------------------


# The provider's types (its `type`, upper-cased) in the page's language; a type not listed
# here shows as the provider names it. The flavour ("kvm") is a technical name, never
# translated.
TYPE_WORDS = {
    "VPS": pgettext_lazy("server type", "VPS"),
    "DEDICATED": pgettext_lazy("server type", "DEDICATED"),
    "COLOCATION": pgettext_lazy("server type", "COLOCATION"),
}


@register.filter
def server_type(server) -> str:
    """ "VPS (kvm)", "DEDICATED", or "—": the same words wherever a server's type shows,
    for a mirrored row and for a live record alike."""
    kind = (getattr(server, "type", "") or "").upper()
    flavour = getattr(server, "vps_type", "") or ""
    if not kind:
        return "—"
    kind = str(TYPE_WORDS.get(kind, kind))
    return f"{kind} ({flavour})" if flavour else kind
