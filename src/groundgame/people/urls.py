from django.urls import path

from groundgame.people import data_request_views, geocode_views, review_views, views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("<int:person_id>/", views.person_detail, name="detail"),
    # Requests about their data: national admins only.
    path("<int:person_id>/export.json", data_request_views.person_export, name="person_export"),
    path("<int:person_id>/erase/", data_request_views.person_erase, name="person_erase"),
    path("imports/", views.voter_import_list, name="imports"),
    path("imports/<int:run_id>/errors.csv", views.voter_import_report, name="import_report"),
    path("geocode/", geocode_views.geocode_runs, name="geocode"),
    path("geocode/<int:run_id>/", geocode_views.geocode_run, name="geocode_run"),
    # Identity resolution: the review queue and undoing a merge.
    path("reviews/", review_views.review_list, name="reviews"),
    path("reviews/<int:review_id>/", review_views.review_compare, name="review"),
    path("reviews/<int:review_id>/decide/", review_views.review_decide, name="review_decide"),
    path("merges/<int:merge_id>/undo/", review_views.merge_undo, name="merge_undo"),
    path("universes/", views.universe_list, name="universes"),
    path("universes/new/", views.universe_builder, name="universe_new"),
    path("universes/count/", views.universe_count, name="universe_count"),
    path("universes/<int:universe_id>/", views.universe_builder, name="universe"),
    path("universes/<int:universe_id>/export/", views.universe_export, name="universe_export"),
    path("universes/<int:universe_id>/delete/", views.universe_delete, name="universe_delete"),
    path("universes/<int:universe_id>/recount/", views.universe_recount, name="universe_recount"),
]
