from django.contrib import admin
from django.urls import include, path

from groundgame.api import api
from groundgame.core import views as core_views

urlpatterns = [
    path("", include("groundgame.health.urls")),
    path("", include("groundgame.organizing.urls")),
    path("", include("groundgame.volunteers.urls")),
    path("people/", include("groundgame.people.urls")),
    path("events/", include("groundgame.events.urls")),
    path("audit/", include("groundgame.audit.urls")),
    path("content/", include("groundgame.content.urls")),
    path("field/review/", include("groundgame.field.review_urls")),
    path("field/", include("groundgame.field.urls")),
    path("field/", include("groundgame.field.reporting_urls")),
    path("canvass/", include("groundgame.field.canvass_urls")),
    path("", include("groundgame.consent.urls")),
    path("messaging/", include("groundgame.messaging.urls")),
    path("list-health/", include("groundgame.messaging.health_urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "groundgame.core.views.bad_request"
handler403 = "groundgame.core.views.permission_denied"
handler404 = "groundgame.core.views.page_not_found"
handler500 = "groundgame.core.views.server_error"
