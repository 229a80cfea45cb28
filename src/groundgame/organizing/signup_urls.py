from django.urls import include, path

from groundgame.organizing import signup_views as views

staff = [
    path("", views.queue, name="queue"),
    path("<int:follow_up_id>/contacted/", views.contact, name="contact"),
    path("forms/", views.form_list, name="forms"),
    path("forms/new/", views.form_new, name="form_new"),
    path("forms/<int:form_id>/", views.form_detail, name="form"),
    path("intake/", views.intake_dashboard, name="intake"),
    path("intake/live.json", views.intake_live_json, name="intake_live"),
]

urlpatterns = [
    path("f/<slug:slug>/", views.signup_public, name="signup_public"),
    path("f/<slug:slug>/embed/", views.signup_embed, name="signup_embed"),
    path("f/<slug:slug>/thanks/", views.signup_thanks, name="signup_thanks"),
    path("thanks/donation/", views.donation_thanks, name="donation_thanks"),
    path("volunteers/", include((staff, "volunteers"))),
]
