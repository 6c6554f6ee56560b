from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "panel.grants"
    label = "grants"
    verbose_name = "Grants and permissions"
