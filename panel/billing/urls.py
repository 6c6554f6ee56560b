from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("<int:pk>/", views.account, name="account"),
]
