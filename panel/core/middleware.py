from django.conf import settings
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session ended gets a full-page redirect to the login page.

    Without this, htmx would follow the 302 and swap the login form into a table cell.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
        ):
            return HttpResponseClientRedirect(response["Location"])
        return response


class PrivatePagesMiddleware:
    """Every page for a logged-in user says `Cache-Control: private, no-store`: no shared
    proxy and no browser back-button cache keeps a copy of what the user saw.

    Responses that set their own Cache-Control keep it (the graphs' private max-age, the
    login page's never_cache); static files never come here (WhiteNoise answers them
    first), and /healthz is left as it is."""

    VALUE = "private, no-store"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            not response.has_header("Cache-Control")
            and not request.path.startswith((settings.STATIC_URL, "/healthz"))
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            response["Cache-Control"] = self.VALUE
        return response
