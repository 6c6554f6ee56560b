from functools import wraps

from django.core.exceptions import PermissionDenied

from panel.grants.access import is_panel_admin


def admin_required(view):
    """Only panel admins; anyone else gets a 403 (anonymous users are sent to log in first
    by LoginRequiredMiddleware)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_panel_admin(request.user):
            raise PermissionDenied("Only panel administrators can open this page.")
        return view(request, *args, **kwargs)

    return wrapped
