from django.db.models import Exists, Q

from panel.accounts.models import User
from panel.branding.services import brand_for
from panel.branding.whitelabel import white_label
from panel.grants.access import _may_hold_grants, is_customer_admin, is_panel_admin
from panel.teams.access import managed_teams


def panel(request):
    """The brand of the request's host, the white-label flag and the admin flag."""
    brand = brand_for(request)
    return {
        "brand": brand,
        "brand_name": brand.name,
        "brand_logo_url": brand.logo_url,
        # True: this user must not see the provider's name or host names (see whitelabel).
        # A callable: templates call it only where they use it (it may cost a query).
        "white_label": lambda: white_label(request),
        "user_is_admin": is_panel_admin(getattr(request, "user", None)),
        # Team managers get a Teams link; staff limited to chosen customers Customers
        # (theirs), Teams and the audit log: one query tells both, for non-admins only.
        "manages_teams": lambda: _runs(request)[0],
        "account_manager": lambda: _runs(request)[1],
        # A customer's admin: Teams and their customer's audit log.
        "customer_admin": lambda: is_customer_admin(getattr(request, "user", None)),
    }


def _runs(request) -> tuple[bool, bool]:
    """(manages a team, is staff limited to chosen customers), asked once per request."""
    if not hasattr(request, "_panel_runs"):
        user = request.user
        if not _may_hold_grants(user):
            request._panel_runs = (False, False)
        else:
            managed = user.managed_customers.through.objects.filter(user_id=user.pk)
            flags = User.objects.filter(pk=user.pk).values_list(
                Exists(managed_teams(user)), Exists(managed) & Q(customer__isnull=True)
            )
            request._panel_runs = tuple(flags.first() or (False, False))
    return request._panel_runs
