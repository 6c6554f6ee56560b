from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "panel.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        # The token's security scheme in the OpenAPI document.
        from . import authentication  # noqa: F401
