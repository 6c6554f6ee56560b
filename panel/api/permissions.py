"""A request's scope: the registry (panel.tokens.scopes) says which scope its endpoint
needs; a token without that scope is refused (403) before anything is looked up. What the
token may do on a server is checked where the server is (views.TokenView.server)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from panel.tokens.scopes import SCOPES


class TokenScopes(BasePermission):
    def has_permission(self, request, view) -> bool:
        token = request.auth
        if token is None:
            return False  # 401: no token (REST framework asks the authenticator's header)
        needed = view.needs()
        if needed is None:
            # A method this view does not answer: 405 follows. One it answers is always in
            # the registry (tests/panel/api/test_scopes.py), so nothing is open by mistake.
            method = request.method.lower()
            return method not in view.http_method_names or not hasattr(view, method)
        scope = SCOPES[needed[0]]
        if scope.name not in token.scopes or (scope.application_only and not token.is_application):
            self.message = _("This token does not have the scope “%(scope)s” needed here.") % {
                "scope": scope.name
            }
            return False
        return True
