from django.urls import path

from . import views

app_name = "grants"

urlpatterns = [
    path("user/<int:user_id>/", views.user_grants, name="user"),
    path("user/<int:user_id>/end-sessions/", views.end_sessions, name="end_sessions"),
    path("servers/", views.server_picker, name="server_picker"),
    path("<int:pk>/", views.grant_edit, name="edit"),
    path("<int:pk>/revoke/", views.grant_revoke, name="revoke"),
]
