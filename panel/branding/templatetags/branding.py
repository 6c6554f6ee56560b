from django import template

from panel.core.scrub import is_provider_host

register = template.Library()


@register.filter
def without_provider_host(value):
    """ "" for the provider's own host names (srv1234.terrahost.no, default PTRs), else the
    value: for white-labelled users, who may set their own."""
    return "" if is_provider_host(str(value or "")) else value
