"""The lists the wizard offers (searchable in the browser); the defaults are what the
installer needs to finish (API notes: empty values stall it)."""

import zoneinfo

from django.utils.translation import gettext_lazy as _

DEFAULT_LANGUAGE = "en_US"
DEFAULT_KEYBOARD = "us"
DEFAULT_TIMEZONE = "Europe/Oslo"

LANGUAGES = [
    ("en_US", _("English (United States)")),
    ("en_GB", _("English (United Kingdom)")),
    ("nb_NO", _("Norwegian Bokmål")),
    ("nn_NO", _("Norwegian Nynorsk")),
    ("sv_SE", _("Swedish")),
    ("da_DK", _("Danish")),
    ("fi_FI", _("Finnish")),
    ("de_DE", _("German")),
    ("fr_FR", _("French")),
    ("es_ES", _("Spanish")),
    ("it_IT", _("Italian")),
    ("nl_NL", _("Dutch")),
    ("pl_PL", _("Polish")),
    ("pt_PT", _("Portuguese")),
    ("pt_BR", _("Portuguese (Brazil)")),
]
KEYBOARDS = [
    ("us", _("English (US)")),
    ("gb", _("English (UK)")),
    ("no", _("Norwegian")),
    ("se", _("Swedish")),
    ("dk", _("Danish")),
    ("fi", _("Finnish")),
    ("de", _("German")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("nl", _("Dutch")),
    ("pl", _("Polish")),
    ("pt", _("Portuguese")),
    ("br", _("Portuguese (Brazil)")),
]
TIMEZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
