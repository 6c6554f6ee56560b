from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "panel.accounts"
    label = "accounts"
    verbose_name = _("Local users")

    def ready(self):
        from . import signals  # noqa: F401 - announces new people (user.joined)
