"""The field app's pages, mounted at the root: turf cutting and walk lists, reporting and
materials, and the review of results under /field/; the canvassing app under /canvass/.
Each part keeps its own URL namespace (``field``, ``field_reports``, ``field_review``,
``canvass``)."""

from django.urls import include, path

from groundgame.field import canvass_views, reporting_views, review_views, views

turf_patterns = [
    path("", views.turf_cut_list, name="home"),
    path("cuts/<int:cut_id>/", views.turf_cut_detail, name="cut"),
    path("turfs/<int:turf_id>/", views.turf_detail, name="turf"),
    path("turfs/<int:turf_id>/sheet/", views.walk_sheet, name="walk_sheet"),
    path("turfs/<int:turf_id>/move", views.turf_move, name="turf_move"),
    path("turfs/<int:turf_id>/merge", views.turf_merge, name="turf_merge"),
    path("turfs/<int:turf_id>/split", views.turf_split, name="turf_split"),
    path("turfs/<int:turf_id>/lists", views.walk_list_create, name="walk_list_create"),
]

reporting_patterns = [
    path("field/reporting/", reporting_views.unit_report, name="reporting"),
    path("field/materials/", reporting_views.materials, name="materials"),
]

review_patterns = [
    path("", review_views.review, name="review"),
    path("results/<int:result_id>/decide", review_views.result_decide, name="result_decide"),
    path(
        "rejections/<int:rejection_id>/resolve",
        review_views.rejection_resolve,
        name="rejection_resolve",
    ),
]

canvass_patterns = [
    path("", canvass_views.app, name="app"),
    path("sw.js", canvass_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", canvass_views.manifest, name="manifest"),
]

urlpatterns = [
    path("field/review/", include((review_patterns, "field_review"))),
    path("field/", include((turf_patterns, "field"))),
    path("", include((reporting_patterns, "field_reports"))),
    path("canvass/", include((canvass_patterns, "canvass"))),
]
