from django.urls import path

from groundgame.messaging import webhook_views

app_name = "messaging"

urlpatterns = [
    path("webhooks/sms/status", webhook_views.sms_status, name="sms_status"),
    path("webhooks/sms/inbound", webhook_views.sms_inbound, name="sms_inbound"),
    path("webhooks/email", webhook_views.email_events, name="email_events"),
]
