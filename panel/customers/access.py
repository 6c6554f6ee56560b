"""Who may open a customer's page: panel admins (every customer), staff limited to chosen
customers (those) and a customer's admins (their own). Anyone else, and anyone asking for a
customer that is not theirs, gets the same 404 as for a customer that does not exist."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from panel.grants.access import is_panel_admin, managed_customer_ids

from .models import Customer


def visible_customers(user) -> QuerySet:
    if is_panel_admin(user):
        return Customer.objects.all()
    return Customer.objects.filter(pk__in=managed_customer_ids(user))


def get_customer_for_user(user, pk) -> Customer:
    try:
        return visible_customers(user).select_related("brand").get(pk=pk)
    except (ValueError, TypeError, Customer.DoesNotExist):
        raise Http404("No such customer.") from None


def runs_customers_required(view):
    """Panel admins and whoever runs a customer; everyone else a 403 (before the method
    check, as admin_required)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_panel_admin(request.user) and not managed_customer_ids(request.user):
            raise PermissionDenied("Only panel admins and customer admins can open this page.")
        return view(request, *args, **kwargs)

    return wrapped
