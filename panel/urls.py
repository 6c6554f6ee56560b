"""URL map of the panel; each app owns its own urls.py."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

urlpatterns = [
    path("", include("panel.site.urls")),
    path("accounts/", include("panel.accounts.urls")),
    path("users/", include("panel.users.urls")),
    # Anyone may switch the language, the login page included.
    path("language/", login_not_required(require_POST(set_language)), name="set_language"),
    path("connections/", include("panel.connections.urls")),
    path("servers/", include("panel.servers.urls")),
    path("grants/", include("panel.grants.urls")),
    path("teams/", include("panel.teams.urls")),
    path("customers/", include("panel.customers.urls")),
    path("webhooks/", include("panel.webhooks.urls")),
    path("", include("panel.audit.urls")),
    path("servers/", include("panel.graphs.urls")),
    path("billing/", include("panel.billing.urls")),
    path("", include("panel.operations.urls")),
    path("servers/", include("panel.reinstall.urls")),
    path("servers/", include("panel.isos.urls")),
    path("servers/", include("panel.orders.urls")),
    path("servers/", include("panel.snapshots.urls")),
    path("", include("panel.branding.urls")),
    path("tokens/", include("panel.tokens.urls")),
    # The panel's own REST API (token-only); the paths are a public contract.
    path("api/v1/", include("panel.api.urls")),
]

handler403 = "panel.site.views.permission_denied"
handler404 = "panel.site.views.page_not_found"
handler500 = "panel.site.views.server_error"
