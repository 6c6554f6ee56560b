from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("<int:pk>/upgrade/", views.upgrade, name="upgrade"),
    path("<int:pk>/ipv4/", views.ipv4, name="ipv4"),
]
