from django.urls import path

from . import views

app_name = "reinstall"

urlpatterns = [
    path("<int:pk>/reinstall/", views.reinstall, name="wizard"),
]
