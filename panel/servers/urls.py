from django.urls import path

from . import views

app_name = "servers"

urlpatterns = [
    path("", views.server_list, name="list"),
    path("refresh/", views.server_list_refresh, name="refresh"),
    path("<int:pk>/", views.server_detail, name="detail"),
    path("<int:pk>/live/", views.server_detail_live, name="detail_live"),
    path("<int:pk>/reboot/", views.power_reboot, name="reboot"),
    path("<int:pk>/power-off/", views.power_off, name="power_off"),
    path("<int:pk>/power-on/", views.power_on, name="power_on"),
    path("<int:pk>/power/", views.power_status, name="power_status"),
    path("<int:pk>/console/", views.console_open, name="console"),
    path("<int:pk>/rename/", views.server_rename, name="rename"),
    path("<int:pk>/reverse-dns/", views.reverse_dns, name="reverse_dns"),
]
