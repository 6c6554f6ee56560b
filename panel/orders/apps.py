from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "panel.orders"
    label = "orders"
    verbose_name = "Orders (upgrades and IPv4 addresses)"

    def ready(self):
        from . import operation  # noqa: F401 - registers the "upgrade" and "ipv4_order" kinds
