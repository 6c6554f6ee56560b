from django.urls import path

from . import views

app_name = "grants"

urlpatterns = [
    path("user/<int:user_id>/", views.user_grants, name="user"),
    path("<int:pk>/revoke/", views.grant_revoke, name="revoke"),
]
