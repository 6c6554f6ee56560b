from django.urls import path

from . import views

app_name = "isos"

urlpatterns = [
    path("<int:pk>/isos/", views.iso_list, name="list"),
    path("<int:pk>/isos/upload/", views.upload, name="upload"),
    path("<int:pk>/isos/mount/", views.mount, name="mount"),
    path("<int:pk>/isos/unmount/", views.unmount, name="unmount"),
]
