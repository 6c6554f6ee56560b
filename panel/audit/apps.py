from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "panel.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self):
        from . import signals  # noqa: F401 - connects the login receivers
