from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

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
    path("", include("groundgame.integrations.actblue.urls")),
    path("money/", include("groundgame.money.urls")),
    path("insights/", include("groundgame.insights.urls")),
    path("api/", api.urls),
    # The admin's own sign-in form would skip the second factor: it sends to the staff one.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
]

handler400 = "groundgame.core.views.bad_request"
handler403 = "groundgame.core.views.permission_denied"
handler404 = "groundgame.core.views.page_not_found"
handler500 = "groundgame.core.views.server_error"
