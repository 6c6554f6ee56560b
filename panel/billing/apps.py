from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "panel.billing"
    label = "billing"
    verbose_name = "Account and invoices"
