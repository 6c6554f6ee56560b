"""URL map of the panel; each app owns its own urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("panel.core.urls")),
    path("accounts/", include("panel.accounts.urls")),
    path("users/", include("panel.users.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("connections/", include("panel.connections.urls")),
    path("servers/", include("panel.servers.urls")),
    path("grants/", include("panel.grants.urls")),
    path("teams/", include("panel.teams.urls")),
    path("", include("panel.audit.urls")),
    path("servers/", include("panel.graphs.urls")),
    path("billing/", include("panel.billing.urls")),
    path("", include("panel.operations.urls")),
    path("servers/", include("panel.reinstall.urls")),
    path("servers/", include("panel.isos.urls")),
    path("servers/", include("panel.orders.urls")),
    path("servers/", include("panel.snapshots.urls")),
    path("", include("panel.branding.urls")),
]

handler403 = "panel.core.views.permission_denied"
handler404 = "panel.core.views.page_not_found"
handler500 = "panel.core.views.server_error"
