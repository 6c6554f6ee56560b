from panel.branding.services import brand_for
from panel.branding.whitelabel import white_label
from panel.grants.access import is_account_manager, is_customer_admin, is_panel_admin
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
        # Team managers get a Teams link (one query, only for those who are not admins).
        "manages_teams": lambda: managed_teams(request.user).exists(),
        # A customer's admin: Teams and their customer's audit log.
        "customer_admin": lambda: is_customer_admin(getattr(request, "user", None)),
        # Staff limited to chosen customers: Customers (theirs), Teams and the audit log.
        "account_manager": lambda: is_account_manager(getattr(request, "user", None)),
    }
