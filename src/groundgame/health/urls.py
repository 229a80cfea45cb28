from django.urls import path

from groundgame.health import views

urlpatterns = [path("", views.home, name="home")]
