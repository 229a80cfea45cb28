from django.urls import path

from groundgame.consent import views

app_name = "consent"

urlpatterns = [
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("u/<str:token>/one-click", views.one_click, name="one_click"),
    path("consent/topics/", views.topic_list, name="topics"),
    path(
        "consent/people/<int:person_id>/subscriptions",
        views.person_subscriptions,
        name="person_subscriptions",
    ),
    path(
        "consent/people/<int:person_id>/do-not-contact",
        views.person_do_not_contact,
        name="person_do_not_contact",
    ),
]
