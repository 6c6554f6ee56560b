"""The lists the wizard offers (searchable in the browser); the defaults are what the
installer needs to finish (API notes: empty values stall it)."""

import zoneinfo

DEFAULT_LANGUAGE = "en_US"
DEFAULT_KEYBOARD = "us"
DEFAULT_TIMEZONE = "Europe/Oslo"

LANGUAGES = [
    ("en_US", "English (United States)"),
    ("en_GB", "English (United Kingdom)"),
    ("nb_NO", "Norwegian Bokmål"),
    ("nn_NO", "Norwegian Nynorsk"),
    ("sv_SE", "Swedish"),
    ("da_DK", "Danish"),
    ("fi_FI", "Finnish"),
    ("de_DE", "German"),
    ("fr_FR", "French"),
    ("es_ES", "Spanish"),
    ("it_IT", "Italian"),
    ("nl_NL", "Dutch"),
    ("pl_PL", "Polish"),
    ("pt_PT", "Portuguese"),
    ("pt_BR", "Portuguese (Brazil)"),
]
KEYBOARDS = [
    ("us", "English (US)"),
    ("gb", "English (UK)"),
    ("no", "Norwegian"),
    ("se", "Swedish"),
    ("dk", "Danish"),
    ("fi", "Finnish"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("br", "Portuguese (Brazil)"),
]
TIMEZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})
