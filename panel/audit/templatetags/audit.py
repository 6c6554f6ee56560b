from django import template

from panel.audit.log import label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """ "power.reboot" -> "Reboot": what the Activity tab and the audit page show."""
    return label(action)
