from django.urls import path

from . import views

app_name = "branding"

urlpatterns = [
    path("branding/", views.brand_list, name="list"),
    path("branding/new/", views.brand_create, name="create"),
    path("branding/<int:pk>/", views.brand_edit, name="edit"),
    path("branding/<int:pk>/delete/", views.brand_delete, name="delete"),
    # The logo and favicon of the request's brand (its Host), for every visitor.
    path("branding/logo", views.logo, name="logo"),
    path("branding/favicon", views.favicon, name="favicon"),
]
