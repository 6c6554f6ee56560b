from django.apps import AppConfig


class IsosConfig(AppConfig):
    name = "panel.isos"
    label = "isos"
    verbose_name = "ISO images"

    def ready(self):
        from . import operation  # noqa: F401 - registers the "iso_upload" operation kind
