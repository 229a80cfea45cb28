"""The election desk's pages for polls: the desk itself, the average of every state, one
state's chart, adding polls by hand or by file, and the backtest. Every staff member sees
them (aggregates only); adding polls is scoped by the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods

from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.insights import polls_chart, selectors, services
from groundgame.insights.models import PollImport
from groundgame.insights.polls_forms import PollForm, PollUploadForm
from groundgame.insights.polls_states import place_name

# While an import is under way its page reloads itself this often (seconds).
REFRESH_SECONDS = 3
# The other analyses of the desk, linked from it once their pages exist.
DESK_PAGES = (
    ("insights:turnout", "Early-vote turnout", "Projected turnout per county from early ballots."),
    ("insights:results", "Results", "Turnout change, swing and third-party votes on real returns."),
)


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _as_of(request: HttpRequest) -> selectors.Average:
    try:
        day = selectors.as_of_date(request.GET.get("as_of"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        day = selectors.as_of_date()
    return selectors.polling_average_as_of(day)


def _rows(average: selectors.Average) -> list[tuple[selectors.PlaceRow, SafeString]]:
    """The table's rows, each with its interval drawn on an axis all rows share."""
    reach = max((max(abs(p.margin_lo80), abs(p.margin_hi80)) for p in average.places), default=1)
    reach = min(max(reach, 10.0), 60.0)
    return [
        (row, polls_chart.interval_bar(row.place, reach)) for row in selectors.place_rows(average)
    ]


@staff_required
def desk(request: HttpRequest) -> HttpResponse:
    headline = selectors.polling_headline()
    links = [
        {"url": url, "label": label, "note": note}
        for name, label, note in DESK_PAGES
        if (url := _url_or_none(name)) is not None
    ]
    return render(
        request,
        "insights/desk.html",
        {"average": headline, "rows": _rows(headline), "links": links},
    )


@staff_required
def poll_table(request: HttpRequest) -> HttpResponse:
    average = _as_of(request)
    return render(
        request,
        "insights/polls.html",
        {"average": average, "rows": _rows(average), "polls": selectors.poll_count()},
    )


@staff_required
def poll_place(request: HttpRequest, place: str) -> HttpResponse:
    try:
        state = selectors.place_code(place)
    except ApplicationError:
        raise Http404("No such state.") from None
    average = _as_of(request)
    series = selectors.polling_series(state, average.as_of)
    polls = list(selectors.poll_list(state=state).filter(end_date__lte=average.as_of)[:200])
    name = place_name(state)
    chart = polls_chart.band_chart(
        f"Polling average in {name}: margin with its 80% interval",
        series,
        [(p.end_date, p.dem_pct - p.rep_pct) for p in polls],
    )
    current = average.place(state)
    return render(
        request,
        "insights/poll_place.html",
        {
            "name": name,
            "code": state or "US",
            "average": average,
            "current": current,
            "label": polls_chart.signed(current.margin) if current else "",
            "lo": polls_chart.signed(current.margin_lo80) if current else "",
            "hi": polls_chart.signed(current.margin_hi80) if current else "",
            "chart": chart,
            "series": [
                (
                    day,
                    polls_chart.signed(a.margin),
                    polls_chart.signed(a.margin_lo80),
                    polls_chart.signed(a.margin_hi80),
                    a.polls,
                )
                for day, a in reversed(series)
            ],
            "polls": polls[:50],
        },
    )


@staff_required
@require_http_methods(["GET", "POST"])
def poll_new(request: HttpRequest) -> HttpResponse:
    form = PollForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.poll_create(
                actor=request.user,
                state=data["state"],
                pollster=data["pollster"],
                grade=data["grade"],
                sample_size=data["sample_size"],
                population=data["population"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                dem_candidate=data["dem_candidate"],
                rep_candidate=data["rep_candidate"],
                dem_pct=data["dem_pct"],
                rep_pct=data["rep_pct"],
                other_pct=data["other_pct"] or 0.0,
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Poll added: {poll}.")
            return redirect("insights:poll_place", place=poll.state or "US")
    status = 400 if request.method == "POST" else 200
    return render(request, "insights/poll_new.html", {"form": form}, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def poll_imports(request: HttpRequest) -> HttpResponse:
    form = PollUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.poll_import_start(
                actor=request.user, filename=upload.name, content=upload.read()
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("insights:poll_import", import_id=run.pk)
    status = 400 if request.method == "POST" else 200
    runs = list(selectors.poll_import_list()[:30])
    return render(
        request, "insights/poll_imports.html", {"form": form, "runs": runs}, status=status
    )


@staff_required
def poll_import(request: HttpRequest, import_id: int) -> HttpResponse:
    run = selectors.poll_import_get(import_id)
    if run is None:
        raise Http404("No such poll import.")
    page = Paginator(selectors.poll_import_problems(run.pk), 100).get_page(request.GET.get("page"))
    under_way = run.status in (PollImport.Status.QUEUED, PollImport.Status.RUNNING)
    return render(
        request,
        "insights/poll_import.html",
        {
            "run": run,
            "page": page,
            "percent": 100 * run.done // run.polls if run.polls else (0 if under_way else 100),
            "refresh": REFRESH_SECONDS if under_way else None,
        },
    )


@staff_required
def polls_backtest(request: HttpRequest) -> HttpResponse:
    try:
        figures = selectors.backtest_results_cached("polling_average")
    except ApplicationError as exc:
        figures, missing = None, exc.message
    else:
        missing = ""
    years = [(year, figures[year]) for year in figures if year.isdigit()] if figures else []
    return render(
        request,
        "insights/polls_backtest.html",
        {"figures": figures, "years": years, "missing": missing},
    )
