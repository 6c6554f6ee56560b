"""{% server_customer row %}: which customer a server belongs to, with the form to change
that, for admins on the server page."""

from django import template

from panel.grants.access import is_panel_admin

from ..forms import ServerCustomerForm

register = template.Library()


@register.inclusion_tag("customers/server_customer.html", takes_context=True)
def server_customer(context, row):
    request = context.get("request")
    if row is None or not is_panel_admin(getattr(request, "user", None)):
        return {"show": False}
    form = ServerCustomerForm(initial={"customer": row.customer_id})
    return {"show": True, "row": row, "form": form, "csrf_token": context.get("csrf_token")}
