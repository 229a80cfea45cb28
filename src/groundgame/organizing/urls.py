from django.urls import path

from groundgame.organizing import signin_views, views

urlpatterns = [
    path("login/", signin_views.login_view, name="login"),
    path("login/code/", signin_views.login_code_view, name="login_code"),
    path("login/enrol/", signin_views.login_enrol_view, name="login_enrol"),
    path("logout/", signin_views.logout_view, name="logout"),
    path("account/two-factor/", signin_views.two_factor_view, name="two_factor"),
    path("organizing/", views.org_tree, name="org_tree"),
    path("organizing/units/<int:unit_id>/", views.unit_detail, name="org_unit"),
]
