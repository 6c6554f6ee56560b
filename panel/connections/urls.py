from django.urls import path

from . import views

app_name = "connections"

urlpatterns = [
    path("", views.connection_list, name="list"),
    path("new/", views.connection_add, name="add"),
    path("<int:pk>/", views.connection_detail, name="detail"),
    path("<int:pk>/reauthenticate/", views.connection_reauth, name="reauth"),
    path("<int:pk>/password/", views.connection_password, name="password"),
    path("<int:pk>/refresh/", views.connection_refresh, name="refresh"),
    path("<int:pk>/delete/", views.connection_delete, name="delete"),
]
