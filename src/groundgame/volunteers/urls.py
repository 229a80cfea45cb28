from django.urls import include, path

from groundgame.volunteers import views

staff = [
    path("", views.queue, name="queue"),
    path("<int:follow_up_id>/attempts/", views.attempt, name="attempt"),
    path("<int:follow_up_id>/reopen/", views.reopen, name="reopen"),
    path("forms/", views.form_list, name="forms"),
    path("forms/new/", views.form_new, name="form_new"),
    path("forms/<int:form_id>/", views.form_detail, name="form"),
    path("intake/", views.signup_dashboard, name="signups"),
    path("intake/live.json", views.signup_live_json, name="signups_live"),
]

urlpatterns = [
    path("f/<slug:slug>/", views.signup_public, name="signup_public"),
    path("f/<slug:slug>/embed/", views.signup_embed, name="signup_embed"),
    path("f/<slug:slug>/thanks/", views.signup_thanks, name="signup_thanks"),
    path("thanks/donation/", views.donation_thanks, name="donation_thanks"),
    path("volunteers/", include((staff, "volunteers"))),
]
