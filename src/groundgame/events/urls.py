from django.urls import path

from groundgame.events import views

app_name = "events"

# Fixed words come before the event slug, which takes anything else.
urlpatterns = [
    path("", views.event_search, name="search"),
    path("propose/", views.event_propose, name="propose"),
    path("cancel/<str:token>/", views.rsvp_cancel, name="cancel"),
    path("host/<str:token>/", views.host_roster, name="host"),
    path("staff/", views.staff_events, name="staff_list"),
    path("staff/new/", views.staff_event_new, name="staff_new"),
    path("staff/proposals/", views.staff_proposals, name="proposals"),
    path("staff/proposals/<int:event_id>/", views.staff_proposal_decide, name="proposal_decide"),
    path("staff/<int:event_id>/", views.staff_event, name="staff_event"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/received/", views.rsvp_received, name="received"),
]
