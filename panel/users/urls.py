from django.urls import path

from . import viewing, views

app_name = "users"

urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("new/", views.user_create, name="user_create"),
    path("<int:user_id>/", views.user_detail, name="detail"),
    path("<int:user_id>/disable/", views.user_disable, name="disable"),
    path("<int:user_id>/enable/", views.user_enable, name="enable"),
    path("<int:user_id>/password-reset/", views.password_reset_link, name="password_reset_link"),
    path("<int:user_id>/two-factor/off/", views.two_factor_off, name="two_factor_off"),
    path("<int:user_id>/delete/", views.user_delete, name="delete"),
    path("<int:user_id>/view-as/", viewing.view_as_start, name="view_as"),
    path("view-as/stop/", viewing.view_as_stop, name="view_as_stop"),
    # Opened logged out, from the e-mail or the link an admin passed on.
    path("reset/<uidb64>/<token>/", views.PasswordResetView.as_view(), name="password_reset"),
]
