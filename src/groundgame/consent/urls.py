from django.urls import path

from groundgame.consent import views

app_name = "consent"

urlpatterns = [
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("u/<str:token>/one-click", views.one_click, name="one_click"),
]
