"""The geocoding page for national admins: start a run over the households without
coordinates, watch its progress, and read the addresses it could not place."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from groundgame.core.decorators import admin_required
from groundgame.core.errors import ApplicationError
from groundgame.people import selectors
from groundgame.people.models import GeocodeRun
from groundgame.people.services import geocoding

# While a run is under way its page reloads itself this often (seconds).
REFRESH_SECONDS = 5


@admin_required
@require_http_methods(["GET", "POST"])
def geocode_runs(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            run = geocoding.geocode_run_start(
                actor=request.user, state=request.POST.get("state", "")
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("people:geocode")
        messages.success(request, f"Geocoding {run.households:,} households.")
        return redirect("people:geocode_run", run_id=run.pk)
    runs = list(selectors.geocode_run_list()[:50])
    return render(
        request,
        "people/geocode_runs.html",
        {"runs": runs, "unplaced": selectors.households_unplaced().count()},
    )


@admin_required
def geocode_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.geocode_run_get(run_id)
    if run is None:
        raise Http404("No such geocoding run.")
    page = Paginator(selectors.geocode_misses(run.pk), 100).get_page(request.GET.get("page"))
    under_way = run.status in (GeocodeRun.Status.QUEUED, GeocodeRun.Status.RUNNING)
    return render(
        request,
        "people/geocode_run.html",
        {
            "run": run,
            "page": page,
            "percent": 100 * run.done // run.households if run.households else 100,
            "refresh": REFRESH_SECONDS if under_way else None,
        },
    )
