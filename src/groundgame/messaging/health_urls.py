from django.urls import path

from groundgame.messaging import health_views

app_name = "list_health"

urlpatterns = [
    path("", health_views.list_health, name="page"),
]
