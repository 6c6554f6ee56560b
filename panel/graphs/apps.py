from django.apps import AppConfig


class GraphsConfig(AppConfig):
    name = "panel.graphs"
    label = "graphs"
    verbose_name = "Graphs"
