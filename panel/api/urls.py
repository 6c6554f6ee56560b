"""The API's addresses under /api/v1/: a public contract (the endpoints in
panel.tokens.scopes name them)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import customers, docs, isos, operations, orders, reinstall, servers, snapshots, webhooks

app_name = "api"


def view(cls):
    # Tokens, not logins, let people in here (panel.api.authentication).
    return login_not_required(cls.as_view())


S = "servers/<int:id>/"
C = "customers/<int:id>/"
W = "webhooks/<int:id>/"

urlpatterns = [
    path("schema/", view(docs.Schema), name="schema"),
    path("docs/", view(docs.Docs), name="docs"),
    path("servers/", view(servers.ServerList), name="servers"),
    path(S, view(servers.ServerDetail), name="server"),
    path(f"{S}power/", view(servers.Power), name="power"),
    path(f"{S}console/", view(servers.Console), name="console"),
    path(f"{S}reverse-dns/", view(servers.ReverseDNS), name="reverse_dns"),
    path(f"{S}snapshots/", view(snapshots.Snapshots), name="snapshots"),
    path(f"{S}snapshots/<int:snapshot_id>/", view(snapshots.Snapshot), name="snapshot"),
    path(f"{S}reinstall/", view(reinstall.Reinstall), name="reinstall"),
    path(f"{S}isos/", view(isos.Isos), name="isos"),
    path(f"{S}isos/mount/", view(isos.Mount), name="iso_mount"),
    path(f"{S}isos/unmount/", view(isos.Unmount), name="iso_unmount"),
    path(f"{S}upgrade/", view(orders.Upgrade), name="upgrade"),
    path(f"{S}ipv4/", view(orders.IPv4), name="ipv4"),
    path("customers/", view(customers.CustomerList), name="customers"),
    path(f"{C}", view(customers.CustomerDetail), name="customer"),
    path(f"{C}suspend/", view(customers.Suspend), name="customer_suspend"),
    path(f"{C}reactivate/", view(customers.Reactivate), name="customer_reactivate"),
    path(f"{C}servers/", view(customers.CustomerServers), name="customer_servers"),
    path(f"{C}servers/<int:server_id>/", view(customers.CustomerServer), name="customer_server"),
    path(f"{C}users/", view(customers.People), name="customer_users"),
    path(f"{C}grants/", view(customers.CustomerGrants), name="customer_grants"),
    path(f"{C}grants/<int:grant_id>/", view(customers.CustomerGrant), name="customer_grant"),
    path("sso-links/", view(customers.SignInLinks), name="sso_links"),
    path("operations/", view(operations.OperationList), name="operations"),
    path("operations/<int:id>/", view(operations.OperationDetail), name="operation"),
    path(
        "operations/<int:id>/reveal-password/",
        view(operations.RevealPassword),
        name="reveal_password",
    ),
    path("webhooks/", view(webhooks.WebhookList), name="webhooks"),
    path(W, view(webhooks.WebhookDetail), name="webhook"),
    path(f"{W}rotate-secret/", view(webhooks.RotateSecret), name="webhook_rotate"),
    path(f"{W}test/", view(webhooks.SendTest), name="webhook_test"),
    path(f"{W}deliveries/", view(webhooks.Deliveries), name="webhook_deliveries"),
    path(
        f"{W}deliveries/<int:delivery_id>/resend/",
        view(webhooks.Resend),
        name="webhook_resend",
    ),
]
