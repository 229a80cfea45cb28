"""The list-health page: unsubscribe and complaint rates per mailing against their norms,
churn per topic, channel and state over time, and who can still be reached."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def list_health(request: HttpRequest) -> HttpResponse:
    return render(request, "messaging/list_health.html", {})
