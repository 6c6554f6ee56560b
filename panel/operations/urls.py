from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("operations/", views.operation_list, name="list"),
    path("servers/<int:pk>/operations/", views.server_operations, name="server"),
    path("servers/<int:pk>/operations/<int:op_id>/", views.operation_detail, name="detail"),
    path(
        "servers/<int:pk>/operations/<int:op_id>/password/",
        views.reveal_password,
        name="reveal",
    ),
    path("servers/<int:pk>/operations/<int:op_id>/dismiss/", views.dismiss, name="dismiss"),
]
