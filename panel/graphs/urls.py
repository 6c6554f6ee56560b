from django.urls import path

from . import views

app_name = "graphs"

# Mounted under "servers/", beside the server pages.
urlpatterns = [
    path("<int:pk>/graphs/", views.server_graphs, name="server"),
    path("<int:pk>/graphs/<str:kind>/<str:period>.png", views.graph_image, name="image"),
]
