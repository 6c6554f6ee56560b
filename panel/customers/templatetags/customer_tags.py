"""{% server_customer row %}: which customer a server belongs to, with the form to change
that, for admins on the server page (the form posts to customers:server, which checks it
with ServerCustomerForm)."""

from django import template

from panel.grants.access import is_panel_admin

from ..models import Customer

register = template.Library()


@register.inclusion_tag("customers/server_customer.html", takes_context=True)
def server_customer(context, row):
    request = context.get("request")
    if row is None or not is_panel_admin(getattr(request, "user", None)):
        return {"show": False}
    # One query, whether or not the server has a customer (its name comes from the list).
    customers = list(Customer.objects.only("pk", "name"))
    current = next((c for c in customers if c.pk == row.customer_id), None)
    return {
        "show": True,
        "row": row,
        "customers": customers,
        "current": current,
        "csrf_token": context.get("csrf_token"),
    }
