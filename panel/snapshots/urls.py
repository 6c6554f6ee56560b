from django.urls import path

from . import views

app_name = "snapshots"

urlpatterns = [
    path("<int:pk>/snapshots/", views.snapshot_list, name="list"),
    path("<int:pk>/snapshots/take/", views.take_snapshot, name="take"),
    path("<int:pk>/snapshots/<int:snap_id>/delete/", views.delete_snapshot, name="delete"),
    path("<int:pk>/snapshots/schedule/", views.save_schedule, name="schedule"),
]
