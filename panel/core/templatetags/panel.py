import json

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html

from panel.core.actions import new_key

register = template.Library()


@register.simple_tag(takes_context=True)
def htmx_csrf_headers(context) -> str:
    """`hx-headers="{...}"` carrying the CSRF token, JSON-encoded then HTML-escaped."""
    request = context["request"]
    return format_html('hx-headers="{}"', json.dumps({"X-CSRFToken": get_token(request)}))


@register.simple_tag
def action_key() -> str:
    """A fresh idempotency key for one action form (see panel.core.actions)."""
    return new_key()
