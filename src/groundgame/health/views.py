from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groundgame.core.decorators import staff_required
from groundgame.health import selectors


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "health/home.html", {"headline": selectors.headline()})
