from django.urls import path

from groundgame.core import views

urlpatterns = [
    # The liveness probe, at the path load balancers expect.
    path("healthz", views.liveness, name="liveness"),
]
