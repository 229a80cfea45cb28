from django.urls import path

from groundgame.organizing import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("organizing/", views.org_tree, name="org_tree"),
    path("organizing/units/<int:unit_id>/", views.unit_detail, name="org_unit"),
]
