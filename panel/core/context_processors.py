from django.conf import settings

from panel.grants.access import is_panel_admin


def panel(request):
    """Branding and the admin flag, for the base layout."""
    return {
        "brand_name": settings.PANEL_BRAND_NAME,
        "brand_logo_url": settings.PANEL_BRAND_LOGO_URL,
        "user_is_admin": is_panel_admin(getattr(request, "user", None)),
    }
