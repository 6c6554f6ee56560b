from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "panel.users"
    label = "users"
    verbose_name = "Users"
