from django.apps import AppConfig


class ServersConfig(AppConfig):
    name = "panel.servers"
    label = "servers"
    verbose_name = "Servers"
