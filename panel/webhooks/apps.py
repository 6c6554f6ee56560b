from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "panel.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from panel.core.events import event

        from .dispatch import fan_out

        # The apps announce events through panel.core.events, knowing nothing of this one.
        event.connect(fan_out, dispatch_uid="webhooks-fan-out")
