from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from . import two_factor
from .models import SecuritySettings

# Open to a user who still has to set up two-factor login: setting it up (with the
# confirmation it asks for) and logging out.
ENROLMENT_VIEWS = {
    "accounts:two_factor",
    "accounts:two_factor_start",
    "accounts:two_factor_confirm",
    "accounts:sudo",
    "accounts:logout",
}


class TwoFactorRequiredMiddleware:
    """When admins require two-factor login (SecuritySettings), a logged-in user without
    it is led to set it up before anything else. Pages anyone may open logged out stay
    open (the login page's stylesheet and logo, the language switch); static files never
    come here (WhiteNoise answers them first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            not request.user.is_authenticated
            or not getattr(view_func, "login_required", True)  # @login_not_required
            or request.resolver_match.view_name in ENROLMENT_VIEWS
            or not SecuritySettings.two_factor_required()
            or two_factor.has_two_factor(request.user)
        ):
            return None
        url = reverse("accounts:two_factor")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
