from django.urls import path

from groundgame.field import reporting_views

app_name = "field_reports"

urlpatterns = [
    path("reporting/", reporting_views.unit_report, name="reporting"),
    path("materials/", reporting_views.materials, name="materials"),
]
