from django.apps import AppConfig


class BrandingConfig(AppConfig):
    name = "panel.branding"
    label = "branding"
    verbose_name = "Branding"

    def ready(self):
        from . import signals  # noqa: F401
