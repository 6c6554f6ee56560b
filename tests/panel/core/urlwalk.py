"""Every named URL of the panel, classified, and a way to build each one (shared by the
URL walk and the layout checks)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = {
    "accounts:login",
    "site:healthz",
    "site:branding_css",
    "branding:logo",
    "branding:favicon",
    "set_language",
    "users:password_reset",
    # Where an invitation's link leads; without one, a page that says the link does not work.
    "teams:join",
    # The login's code step: with no login waiting for a code, back to the login page.
    "accounts:login_code",
    # A one-time sign-in link; without a valid one, a page that says the link does not work.
    "accounts:sign_in_link",
    # The API's OpenAPI document and its documentation page (the API itself is API below).
    "api:schema",
    "api:docs",
}
# Public URLs that take arguments, and what to build them with (a link that does not work:
# the page says so).
PUBLIC_KWARGS = {"users:password_reset": {"uidb64": "MQ", "token": "used-or-expired"}}
# Pages any logged-in user may open (they show only what the user may see).
USER = {
    # Ends a view as another user (for anyone: without one under way it just goes home).
    "users:view_as_stop",
    "site:home",
    "servers:list",
    "servers:refresh",
    "accounts:logout",
    "accounts:password_change",
    "accounts:password_change_done",
    "accounts:two_factor",
    "accounts:two_factor_start",
    "accounts:two_factor_confirm",
    "accounts:recovery_codes",
    "accounts:two_factor_off",
    "accounts:sudo",
    # API tokens: everyone's own (admins: every token; anyone else's is a 404 to others).
    "tokens:list",
    "tokens:create",
    "tokens:server_picker",
    "tokens:revoke",
}
# The API under /api/v1/: token-only (a session is ignored there), walked with tokens by
# tests/panel/api/test_url_walk.py; its scopes are panel.tokens.scopes.
API = {
    "api:servers",
    "api:server",
    "api:power",
    "api:console",
    "api:reverse_dns",
    "api:snapshots",
    "api:snapshot",
    "api:reinstall",
    "api:isos",
    "api:iso_mount",
    "api:iso_unmount",
    "api:upgrade",
    "api:ipv4",
    "api:operations",
    "api:operation",
    "api:reveal_password",
    "api:customers",
    "api:customer",
    "api:customer_suspend",
    "api:customer_reactivate",
    "api:customer_servers",
    "api:customer_server",
    "api:customer_users",
    "api:customer_grants",
    "api:customer_grant",
    "api:sso_links",
    "api:webhooks",
    "api:webhook",
    "api:webhook_rotate",
    "api:webhook_test",
    "api:webhook_deliveries",
    "api:webhook_resend",
}
# Every server-scoped URL and the one permission key that allows it. A user holding every
# other key gets 403 (and Terrahost sees no call); a new URL without an entry fails the walk.
SERVER_KEYS = {
    "servers:detail": "server.view",
    # The server page's body from the API's record, which the page loads right after it shows.
    "servers:detail_live": "server.view",
    "servers:power_status": "server.view",
    "servers:reboot": "power.control",
    "servers:power_off": "power.control",
    "servers:power_on": "power.control",
    "servers:console": "console.open",
    "servers:rename": "server.rename",
    "servers:reverse_dns": "rdns.edit",
    "graphs:server": "graphs.view",
    "graphs:image": "graphs.view",
    "audit:server": "server.view",
    "reinstall:wizard": "reinstall",
    "operations:server": "server.view",
    "operations:detail": "server.view",
    "operations:dismiss": "server.view",
    # The initiator may reveal too; the walk's operation was started by nobody.
    "operations:reveal": "password.reveal",
    "isos:list": "iso.manage",
    "isos:upload": "iso.manage",
    "isos:mount": "iso.manage",
    "isos:unmount": "iso.manage",
    "orders:upgrade": "upgrade.order",
    "orders:ipv4": "ip.order",
    "snapshots:list": "snapshot.view",
    "snapshots:take": "snapshot.manage",
    "snapshots:delete": "snapshot.manage",
    "snapshots:schedule": "snapshot.manage",
}
SERVER_SCOPED = set(SERVER_KEYS)
# Connection-scoped pages for holders of a key on one of its servers (and admins).
CONNECTION_KEYS = {"billing:account": "billing.view"}
ADMIN = {
    "site:status",
    "accounts:security",
    "users:user_list",
    "users:user_create",
    "users:detail",
    "users:disable",
    "users:enable",
    "users:password_reset_link",
    "users:two_factor_off",
    "users:delete",
    "users:view_as",
    "connections:list",
    "connections:add",
    "connections:detail",
    "connections:reauth",
    "connections:password",
    "connections:refresh",
    "connections:delete",
    "grants:user",
    "grants:revoke",
    "audit:list",
    "audit:export",
    "operations:list",
    "branding:list",
    "branding:create",
    "branding:edit",
    "branding:delete",
    # Access and teams. A team's managers also open its team pages, edit and remove its
    # grants and use the server picker (tests/panel/teams); bob and charlie manage none.
    "grants:edit",
    "grants:end_sessions",
    "grants:server_picker",
    "teams:list",
    "teams:create",
    "teams:detail",
    "teams:delete",
    "teams:member_add",
    "teams:member_role",
    "teams:member_remove",
    "teams:invite",
    "teams:invitation_revoke",
    # Customers (the reseller's client companies) and the server page's "Belongs to".
    "customers:list",
    "customers:create",
    "customers:detail",
    "customers:edit",
    "customers:assign",
    "customers:suspend",
    "customers:reactivate",
    "customers:server",
    # Webhooks: panel admins (every endpoint) and customer admins (their customer's own,
    # tests/panel/webhooks); bob and charlie are neither.
    "webhooks:list",
    "webhooks:create",
    "webhooks:detail",
    "webhooks:edit",
    "webhooks:rotate",
    "webhooks:test",
    "webhooks:delete",
    "webhooks:resend",
}
# Answer only POST: a GET is 405 for anyone allowed past the login and access checks.
POST_ONLY = {
    "users:view_as",
    "users:view_as_stop",
    "customers:reactivate",
    "customers:server",
    "teams:invite",
    "set_language",
    "servers:refresh",
    "accounts:logout",
    "connections:reauth",
    "connections:password",
    "connections:refresh",
    "teams:member_add",
    "teams:member_role",
    "users:enable",
    "users:password_reset_link",
    "servers:console",
    "accounts:two_factor_start",
    "accounts:two_factor_confirm",
    "accounts:recovery_codes",
    "accounts:two_factor_off",
    "operations:reveal",
    "operations:dismiss",
    "isos:upload",
    "isos:mount",
    "isos:unmount",
    "snapshots:take",
    "snapshots:schedule",
    "webhooks:rotate",
    "webhooks:test",
    "webhooks:resend",
}
# Answer only GET (and HEAD): a POST is 405 before any lookup.
GET_ONLY = {
    "servers:detail",
    "servers:detail_live",
    "servers:power_status",
    "graphs:server",
    "graphs:image",
    "audit:server",
    "audit:list",
    "audit:export",
    "billing:account",
    "operations:server",
    "operations:detail",
    "operations:list",
    "isos:list",
    "snapshots:list",
    "branding:list",
    "grants:server_picker",
    "teams:list",
    "users:user_list",
    "accounts:two_factor",
    "customers:list",
    "customers:detail",
    "webhooks:list",
    "webhooks:detail",
    "tokens:list",
    "tokens:server_picker",
}
# GET needs query parameters to answer 200 (what the page itself links to).
QUERIES = {"servers:power_status": "?action=reboot&goal=on&started=0"}
# GET answers something other than an HTML page (an image, a CSV download).
NOT_HTML = {"graphs:image", "audit:export", "branding:logo", "branding:favicon"}
# GET answers another success status by design: a poll of a settled server says "stop" (286).
STATUS = {"servers:power_status": 286}
# GET answers a redirect by design (where to).
REDIRECTS = {
    "site:home": "servers:list",
    "set_language": "site:home",
    "accounts:login_code": "accounts:login",
}


def _names(patterns=None, namespace=""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.pattern.converters


def all_names() -> dict:
    return dict(_names())


def _finished_reinstall(server):
    from panel.operations.models import Operation

    op, _ = Operation.objects.get_or_create(
        idempotency_key=f"url-walk-{server.pk}",
        defaults={
            "kind": "reinstall",
            "server": server,
            "srv_id": server.srv_id,
            "connection": server.connection,
            "status": Operation.Status.SUCCEEDED,
        },
    )
    return op


def _brand():
    from panel.branding.models import Brand, BrandHost

    brand = Brand.objects.filter(name="URL walk").first()
    if brand is None:
        brand = Brand.objects.create(name="URL walk")
        BrandHost.objects.create(brand=brand, host="walk.example.org")
    return brand


def _customer():
    from panel.customers.models import Customer

    customer, _ = Customer.objects.get_or_create(name="URL walk")
    return customer


def _team(user):
    """A team with `user` as a plain member (the membership)."""
    from panel.teams.models import Membership, Team

    team, _ = Team.objects.get_or_create(name="URL walk")
    membership, _ = Membership.objects.get_or_create(team=team, user=user)
    return membership


def _invitation(user):
    """A pending invitation into the walk's team."""
    from datetime import timedelta

    from django.utils import timezone

    from panel.teams.models import Invitation

    invitation, _ = Invitation.objects.get_or_create(
        team=_team(user).team,
        email="walk@example.org",
        defaults={"token_hash": "0" * 64, "expires_at": timezone.now() + timedelta(days=1)},
    )
    return invitation


def _delivery():
    """A delivered message of a reseller-wide endpoint (the walk's)."""
    from panel.core import crypto
    from panel.webhooks.models import Delivery, Endpoint

    endpoint, _ = Endpoint.objects.get_or_create(
        url="https://hooks.example.org/walk",
        defaults={
            "events": ["server.renamed"],
            "secret_encrypted": crypto.encrypt("whsec_d2Fsaw=="),
        },
    )
    delivery, _ = Delivery.objects.get_or_create(
        endpoint=endpoint,
        message_id="msg_walk",
        defaults={"event_type": "server.renamed", "payload": "{}", "status": "delivered"},
    )
    return delivery


def _token(user):
    """A personal API token of `user`."""
    from panel.core.actors import Actor
    from panel.tokens import services
    from panel.tokens.models import ApiToken

    token = ApiToken.objects.filter(owner=user, name="URL walk").first()
    if token is None:
        token, _secret = services.create(Actor.person(user), name="URL walk", scopes=[])
    return token


def url_builder(*, connection, server, user, grant):
    """A function name -> URL, with `connection`, `server`, `user` and `grant` for the
    names that take an id."""

    def build(name: str) -> str:
        kwargs = {}
        for key in all_names()[name]:
            if key == "kind":
                kwargs[key] = "bandwidth"
            elif key == "period":
                kwargs[key] = "day"
            elif key == "op_id":
                kwargs[key] = _finished_reinstall(server).pk
            elif name.startswith(("connections:", "billing:")):
                kwargs[key] = connection.pk
            elif name.startswith("branding:"):
                kwargs[key] = _brand().pk
            elif name in ("grants:revoke", "grants:edit"):
                kwargs[key] = grant.pk
            elif key == "endpoint_id":
                kwargs[key] = _delivery().endpoint_id
            elif key == "delivery_id":
                kwargs[key] = _delivery().pk
            elif key == "customer_id":
                kwargs[key] = _customer().pk
            elif key == "team_id":
                kwargs[key] = _team(user).team_id
            elif key == "token_id":
                kwargs[key] = _token(user).pk
            elif key == "invitation_id":
                kwargs[key] = _invitation(user).pk
            elif key == "membership_id":
                kwargs[key] = _team(user).pk
            elif key == "user_id":
                kwargs[key] = user.pk
            else:
                kwargs[key] = server.pk
        return reverse(name, kwargs=kwargs) + QUERIES.get(name, "")

    return build
