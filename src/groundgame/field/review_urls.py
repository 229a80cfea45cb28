from django.urls import path

from groundgame.field import review_views

app_name = "field_review"

urlpatterns = [
    path("", review_views.review, name="review"),
    path("results/<int:result_id>/decide", review_views.result_decide, name="result_decide"),
    path(
        "rejections/<int:rejection_id>/resolve",
        review_views.rejection_resolve,
        name="rejection_resolve",
    ),
]
