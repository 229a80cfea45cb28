"""A URL configuration with a view that crashes, to see what the user gets."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from groundgame.urls import handler500  # noqa: F401 - the handler under test
from groundgame.urls import urlpatterns as real_patterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *real_patterns]
