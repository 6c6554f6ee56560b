import json

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def htmx_csrf_headers(context) -> str:
    """`hx-headers="{...}"` carrying the CSRF token, JSON-encoded then HTML-escaped."""
    request = context["request"]
    return format_html('hx-headers="{}"', json.dumps({"X-CSRFToken": get_token(request)}))


@register.filter
def bytes_human(value) -> str:
    """1536 -> "1.5 KB"; bytes to a short human size."""
    try:
        size = float(value)
    except (TypeError, ValueError):
        return ""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(size) < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""
