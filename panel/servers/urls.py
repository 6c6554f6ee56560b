from django.urls import path

from . import views

app_name = "servers"

urlpatterns = [
    path("", views.server_list, name="list"),
    path("refresh/", views.server_list_refresh, name="refresh"),
    path("<int:pk>/", views.server_detail, name="detail"),
]
