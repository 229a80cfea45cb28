"""ActBlue's addresses: the webhook (answered by its middleware; routed here too so that
it has a name) and the staff page that imports the contributions export."""

from django.urls import URLPattern, URLResolver, path

from groundgame.integrations.actblue import views, webhook

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "integrations/actblue/<slug:endpoint>/",
        webhook.contribution_webhook,
        name="actblue_webhook",
    ),
    path("money/actblue/import/", views.csv_import, name="actblue_csv_import"),
    path("money/actblue/import/<int:run_id>/", views.csv_import_run, name="actblue_csv_import_run"),
]
