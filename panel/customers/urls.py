from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("add/", views.customer_create, name="create"),
    path("<int:customer_id>/", views.customer_detail, name="detail"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/servers/", views.customer_assign, name="assign"),
    path("<int:customer_id>/suspend/", views.customer_suspend, name="suspend"),
    path("<int:customer_id>/reactivate/", views.customer_reactivate, name="reactivate"),
    path("server/<int:server_id>/", views.server_customer, name="server"),
]
