"""The scopes of API tokens: per resource and verb, each with the permission keys it may
use (panel.grants.permissions) and the endpoints it opens. This registry is the one place
that says so: the API's permission check (panel.api.permissions) finds a request's scope
here by its endpoint, the executor and the operations' run-time check find a key's scope
here (panel.tokens.access), and the token form offers these.

    "POST /api/v1/servers/{id}/power/": "power.control"

an endpoint (the method and the path as the OpenAPI document writes it) and the key the
token's owner must hold on that server (or on the servers listed, for a list). An endpoint
of a resource without a server (customers, webhooks, sign-in links) names None instead, and
checks what else it needs itself; a view answers every endpoint it has here, so a new one
is added to its scope below (tests/panel/api/test_scopes.py holds the registry to the
OpenAPI document).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from panel.grants.access import is_customer_admin, is_panel_admin, keys_anywhere


@dataclass(frozen=True)
class Scope:
    name: str
    label: Promise  # what it allows, in plain words
    endpoints: dict[str, str | None] = field(default_factory=dict)
    # Customer management belongs to the panel: only application tokens may have it.
    application_only: bool = False
    # For scopes without keys: only panel admins' and customer admins' personal tokens.
    admins_only: bool = False

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(key for key in self.endpoints.values() if key)


_S = "/api/v1/servers/{id}/"
_C = "/api/v1/customers/{id}/"
_W = "/api/v1/webhooks/{id}/"

SCOPES: dict[str, Scope] = {
    scope.name: scope
    for scope in (
        Scope(
            "servers:read",
            _("See servers, their details and reverse DNS"),
            {
                "GET /api/v1/servers/": "server.view",
                f"GET {_S}": "server.view",
                f"GET {_S}reverse-dns/": "server.view",
            },
        ),
        Scope(
            "servers:power",
            _("Reboot, power on and power off servers"),
            {f"POST {_S}power/": "power.control"},
        ),
        Scope(
            "servers:write",
            _("Rename servers, edit reverse DNS, and upload, mount and unmount ISO images"),
            {
                f"PATCH {_S}": "server.rename",
                f"POST {_S}reverse-dns/": "rdns.edit",
                f"GET {_S}isos/": "iso.manage",
                f"POST {_S}isos/": "iso.manage",
                f"POST {_S}isos/mount/": "iso.manage",
                f"POST {_S}isos/unmount/": "iso.manage",
            },
        ),
        Scope(
            "console",
            _("Open the console (the answer holds its password)"),
            {f"POST {_S}console/": "console.open"},
        ),
        Scope(
            "snapshots:read",
            _("See snapshots"),
            {f"GET {_S}snapshots/": "snapshot.view"},
        ),
        Scope(
            "snapshots:write",
            _("Take and delete snapshots"),
            {
                f"POST {_S}snapshots/": "snapshot.manage",
                f"DELETE {_S}snapshots/{{snapshot_id}}/": "snapshot.manage",
            },
        ),
        Scope(
            "reinstall",
            _("Reinstall the operating system and reveal the new root password"),
            {
                f"GET {_S}reinstall/": "reinstall",
                f"POST {_S}reinstall/": "reinstall",
                "POST /api/v1/operations/{id}/reveal-password/": "password.reveal",
            },
        ),
        Scope(
            "orders:write",
            _("Order upgrades and extra IPv4 addresses (billable)"),
            {
                f"GET {_S}upgrade/": "upgrade.order",
                f"POST {_S}upgrade/": "upgrade.order",
                f"POST {_S}ipv4/": "ip.order",
            },
        ),
        Scope(
            "operations:read",
            _("Follow long operations: reinstalls, snapshots, ISO uploads and orders"),
            {
                "GET /api/v1/operations/": "server.view",
                "GET /api/v1/operations/{id}/": "server.view",
            },
        ),
        Scope(
            "customers:read",
            _("See customers, their people and their servers"),
            {
                "GET /api/v1/customers/": None,
                f"GET {_C}": None,
                f"GET {_C}servers/": None,
                f"GET {_C}users/": None,
                f"GET {_C}grants/": None,
            },
            application_only=True,
        ),
        Scope(
            "customers:write",
            _("Add, change, suspend and remove customers, their people and their servers"),
            {
                "POST /api/v1/customers/": None,
                f"PATCH {_C}": None,
                f"DELETE {_C}": None,
                f"POST {_C}suspend/": None,
                f"POST {_C}reactivate/": None,
                f"POST {_C}servers/": None,
                f"DELETE {_C}servers/{{server_id}}/": None,
                f"POST {_C}users/": None,
                f"POST {_C}grants/": None,
                f"DELETE {_C}grants/{{grant_id}}/": None,
            },
            application_only=True,
        ),
        # One scope to read and change: the endpoints and their deliveries are read by
        # whoever manages them, and reading shows no secret.
        Scope(
            "webhooks:write",
            _("Manage webhooks"),
            {
                "GET /api/v1/webhooks/": None,
                "POST /api/v1/webhooks/": None,
                f"GET {_W}": None,
                f"PATCH {_W}": None,
                f"DELETE {_W}": None,
                f"POST {_W}rotate-secret/": None,
                f"POST {_W}test/": None,
                f"GET {_W}deliveries/": None,
                f"POST {_W}deliveries/{{delivery_id}}/resend/": None,
            },
            admins_only=True,
        ),
        Scope(
            "sso-links:write",
            _("Make one-time sign-in links for people"),
            {"POST /api/v1/sso-links/": None},
            application_only=True,
        ),
    )
}

# Endpoint -> (scope, key or None).
ENDPOINTS: dict[str, tuple[str, str | None]] = {
    endpoint: (scope.name, key)
    for scope in SCOPES.values()
    for endpoint, key in scope.endpoints.items()
}
assert len(ENDPOINTS) == sum(len(scope.endpoints) for scope in SCOPES.values())

_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def endpoint(method: str, route: str) -> str:
    """ "GET /api/v1/servers/{id}/" for a request resolved to "api/v1/servers/<int:id>/"."""
    path = _PARAMETER.sub(r"{\1}", route)
    return f"{'GET' if method == 'HEAD' else method} /{path}"


def keys_of(scope_names) -> frozenset[str]:
    """The permission keys a token with these scopes may use."""
    return frozenset().union(*(SCOPES[name].keys for name in scope_names if name in SCOPES))


def offered(user, *, application: bool) -> list[Scope]:
    """The scopes a token of this kind made by `user` may have: an application token any
    (only panel admins make one); a personal token those that use a key `user` holds
    somewhere, never customer management."""
    if application:
        return list(SCOPES.values())
    held = keys_anywhere(user)
    admin = is_panel_admin(user) or is_customer_admin(user)
    return [
        scope
        for scope in SCOPES.values()
        if not scope.application_only
        and (scope.keys & held if scope.keys else scope.admins_only and admin)
    ]
