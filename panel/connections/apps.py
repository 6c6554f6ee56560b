from django.apps import AppConfig


class ConnectionsConfig(AppConfig):
    name = "panel.connections"
    label = "connections"
    verbose_name = "Terrahost connections"
