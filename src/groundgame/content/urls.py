from django.urls import path

from groundgame.content import views

app_name = "content"

urlpatterns = [
    path("", views.library, name="library"),
    path("<int:item_id>/", views.item_detail, name="item"),
    path("queue/", views.queue, name="queue"),
    path("delegations/", views.delegations, name="delegations"),
]
