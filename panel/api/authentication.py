"""Who is asking: the API token in `Authorization: Bearer pnl_…`, and nothing else (no
session, no cookie). Each request checks the token afresh: revoked or expired (401), used
from an address it does not allow, or its owner disabled or their customer suspended (403)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from panel.accounts.throttle import client_address
from panel.core.templatetags.panel import when
from panel.customers.services import refusal
from panel.tokens import services


class BearerToken(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header:
            return None  # the permission check answers 401 in plain words
        if len(header) != 2 or header[0].lower() != b"bearer":
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer pnl_…”.")
            )
        token = services.find(header[1].decode("latin-1"))
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("This token is not known: check that it was copied whole.")
            )
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                _("This token was revoked (%(when)s).") % {"when": when(token.revoked_at)}
            )
        if token.is_expired():
            raise exceptions.AuthenticationFailed(
                _("This token expired (%(when)s).") % {"when": when(token.expires_at)}
            )
        address = client_address(request._request)
        if not services.address_allowed(token, address):
            raise exceptions.PermissionDenied(
                _("This token may not be used from %(address)s.") % {"address": address}
            )
        owner = token.owner
        if owner is not None:  # a personal token: never more than its owner, now
            if not owner.is_active:
                raise exceptions.PermissionDenied(
                    _("This token's owner is disabled, so the token does not work.")
                )
            suspended = refusal(owner)
            if suspended is not None:
                raise exceptions.PermissionDenied(suspended.message)
        services.touch(token, address)
        return owner or AnonymousUser(), token

    def authenticate_header(self, request):
        return "Bearer"


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerToken
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from the panel's API tokens page: pnl_…",
        }
