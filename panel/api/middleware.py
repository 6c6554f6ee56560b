"""The API is token-only: whatever session cookie a browser sends along, an API request is
anonymous to Django (the token makes it someone, in panel.api.authentication). So nothing
of the session reaches it: no CSRF surface, no "view as", no page for a suspended customer
or for missing two-factor login in place of a JSON answer."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

PREFIX = "/api/"


class TokenOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(PREFIX):
            request.user = AnonymousUser()
        return self.get_response(request)
