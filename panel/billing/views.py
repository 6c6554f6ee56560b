from django.views.decorators.http import require_GET

from panel.core.htmx import render_page
from panel.grants.access import get_connection_for_user

from . import services


@require_GET
def account(request, pk: int):
    connection = get_connection_for_user(request.user, pk, "billing.view")
    billing = services.get_billing(connection)
    table = services.invoice_table(
        billing.invoices, sort=request.GET.get("sort", ""), page=request.GET.get("page", 1)
    )
    context = {"connection": connection, "billing": billing, "table": table}
    return render_page(request, "billing/account.html", "invoice-table", context)
