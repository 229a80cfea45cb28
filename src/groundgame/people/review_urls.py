"""Addresses of the identity-resolution pages, included under /people/ by ``people.urls``."""

from django.urls import path

from groundgame.people import review_views

urlpatterns = [
    path("reviews/", review_views.review_list, name="reviews"),
    path("reviews/<int:review_id>/", review_views.review_compare, name="review"),
    path("reviews/<int:review_id>/decide/", review_views.review_decide, name="review_decide"),
    path("merges/<int:merge_id>/undo/", review_views.merge_undo, name="merge_undo"),
]
