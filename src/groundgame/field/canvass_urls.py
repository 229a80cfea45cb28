from django.urls import path

from groundgame.field import canvass_views

app_name = "canvass"

urlpatterns = [
    path("", canvass_views.app, name="app"),
    path("sw.js", canvass_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", canvass_views.manifest, name="manifest"),
]
