from django.apps import AppConfig


class ReinstallConfig(AppConfig):
    name = "panel.reinstall"
    label = "reinstall"
    verbose_name = "Reinstall"

    def ready(self):
        from . import operation  # noqa: F401 - registers the "reinstall" operation kind
