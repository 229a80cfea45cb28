from django.contrib import admin
from django.urls import include, path

from groundgame.api import api

urlpatterns = [
    path("", include("groundgame.core.urls")),
    path("", include("groundgame.health.urls")),
    path("", include("groundgame.organizing.urls")),
    path("", include("groundgame.volunteers.urls")),
    path("people/", include("groundgame.people.urls")),
    path("events/", include("groundgame.events.urls")),
    path("audit/", include("groundgame.audit.urls")),
    path("content/", include("groundgame.content.urls")),
    path("", include("groundgame.field.urls")),
    path("", include("groundgame.consent.urls")),
    path("", include("groundgame.messaging.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "groundgame.core.views.bad_request"
handler403 = "groundgame.core.views.permission_denied"
handler404 = "groundgame.core.views.page_not_found"
handler500 = "groundgame.core.views.server_error"
