"""Messaging's pages, mounted at the root: mailings and the provider webhooks under
/messaging/ (namespace ``messaging``), list health at /list-health/ (``list_health``)."""

from django.urls import include, path

from groundgame.messaging import list_health_views, views, webhook_views

messaging_patterns = [
    path("mailings/", views.mailing_list, name="mailings"),
    path("mailings/new/", views.mailing_new, name="mailing_new"),
    path("mailings/preview", views.mailing_preview, name="mailing_preview"),
    path("mailings/caps/", views.frequency_caps, name="frequency_caps"),
    path("mailings/<int:mailing_id>/", views.mailing_detail, name="mailing"),
    path("mailings/<int:mailing_id>/edit/", views.mailing_edit, name="mailing_edit"),
    path("mailings/<int:mailing_id>/variants/", views.mailing_variants, name="mailing_variants"),
    path("mailings/<int:mailing_id>/progress", views.mailing_progress, name="mailing_progress"),
    path("mailings/<int:mailing_id>/test", views.mailing_test_send, name="mailing_test"),
    path("mailings/<int:mailing_id>/schedule", views.mailing_schedule, name="mailing_schedule"),
    path("mailings/<int:mailing_id>/cancel", views.mailing_cancel, name="mailing_cancel"),
    path("webhooks/sms/status", webhook_views.sms_status, name="sms_status"),
    path("webhooks/sms/inbound", webhook_views.sms_inbound, name="sms_inbound"),
    path("webhooks/email", webhook_views.email_events, name="email_events"),
]

list_health_patterns = [
    path("", list_health_views.list_health, name="page"),
]

urlpatterns = [
    path("messaging/", include((messaging_patterns, "messaging"))),
    path("list-health/", include((list_health_patterns, "list_health"))),
]
