from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from groundgame.audit.services import audit_read_list
from groundgame.core import exports
from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError, NotFound
from groundgame.core.templatetags.charts import Chart, bar_chart
from groundgame.organizing import selectors as organizing
from groundgame.people import selectors, universes
from groundgame.people.elections import PRESIDENTIAL_GENERALS
from groundgame.people.services import persons
from groundgame.people.services import universes as universe_services

# The general elections shown in a person's vote-history grid.
HISTORY_YEARS = (2016, 2020, 2024)


@staff_required
def person_list(request: HttpRequest) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    query = request.GET.get("q", "")[:100].strip()
    people = selectors.person_list(scope=scope, query=query)
    page = Paginator(people, 50).get_page(request.GET.get("page"))
    audit_read_list(
        actor=request.user, entity_type="people.person", count=len(page.object_list), query=query
    )
    return render(
        request,
        "people/list.html",
        {
            "page": page,
            "query": query,
            "can_see_people": scope.everywhere or bool(scope.person_paths),
            "everywhere": scope.everywhere,
            "query_string": urlencode({"q": query}) if query else "",
            "open_reviews": selectors.match_review_list(scope=scope).count(),
            "may_see_imports": selectors.voter_imports_visible(scope),
        },
    )


def _age(born: dt.date | None) -> int | None:
    if born is None:
        return None
    return universes.age_on(born, timezone.localdate())


@staff_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        person = persons.person_open(actor=request.user, person_id=person_id)
    except NotFound:
        raise Http404("No such person in your units.") from None
    history = selectors.person_vote_history(person)
    by_year = {vote.election_date.year: vote for vote in history}
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "age": _age(person.birth_date),
            "voter": getattr(person, "voter_record", None),
            "history": history,
            "history_grid": [(year, by_year.get(year)) for year in HISTORY_YEARS],
            "memberships": selectors.person_memberships(person.pk),
            "external_ids": selectors.person_external_id_list(person_id=person.pk),
            "merge": selectors.person_merge_undoable(person_id=person.pk),
            "may_request_data": request.staff_scope.is_admin,  # type: ignore[attr-defined]
            "cards": [
                render_to_string(
                    card.template,
                    {"person": person, **card.context(person.pk, request.user)},
                    request=request,
                )
                for card in selectors.person_page_cards()
            ],
        },
    )


# Universes -----------------------------------------------------------------------------


@staff_required
def universe_list(request: HttpRequest) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    return render(
        request,
        "people/universe_list.html",
        {
            "universes": [
                (u, selectors.universe_may_change(scope, u)) for u in selectors.universe_list(scope)
            ],
            "can_export": scope.everywhere or bool(scope.person_paths),
            "scope": scope,
        },
    )


def _filter_params(data: QueryDict) -> QueryDict:
    """The builder's filter inputs alone: what a count, a link or a save is made of."""
    params = data.copy()
    for name in ("csrfmiddlewaretoken", "name", "description", "for_unit", "action"):
        params.pop(name, None)
    return params


def _params_of(spec: dict[str, Any]) -> dict[str, Any]:
    """A saved spec as the builder's inputs, so that its form shows what it holds."""
    params: dict[str, Any] = {}
    for key in ("state", "county", "party", "general_votes", "status", "tags_any", "tags_none"):
        if key in spec:
            params[key] = [str(v) for v in spec[key]]
    if "org_unit" in spec:
        params["org_unit"] = str(spec["org_unit"])
    for bound, value in spec.get("age", {}).items():
        params[f"age_{bound}"] = str(value)
    for key in ("missing", "has_email", "has_phone"):
        if key in spec:
            params[key] = "yes" if spec[key] else "no"
    for key, choice in (("voted_in", "voted"), ("not_voted_in", "not_voted")):
        for day in spec.get(key, ()):
            params[f"{universes.ELECTION_PARAM}{day}"] = choice
    return params


def _charts(result: universes.Breakdown) -> list[Chart]:
    if not result.voters:
        return []
    parties = universes.PartyFilter.choices
    if len(result.by_state) > 1:
        first = bar_chart(
            "Voters by state",
            "Voters in this universe, by the state of their registration.",
            list(result.by_state),
            [("Voters", list(result.by_state.values()))],
            category_label="State",
            chart_id="universe-by-state",
        )
    else:
        first = bar_chart(
            "Voters by party",
            "Voters in this universe, by party registration.",
            [parties.get(p, p) for p in result.by_party],
            [("Voters", list(result.by_party.values()))],
            category_label="Party",
            chart_id="universe-by-party",
        )
    turnout = bar_chart(
        "Turnout propensity",
        "Voters by how many of the last three general elections they voted in.",
        [universes.propensity_label(n) for n in result.by_turnout],
        [("Voters", list(result.by_turnout.values()))],
        category_label="Turnout",
        chart_id="universe-turnout",
    )
    return [first, turnout]


def _result_context(data: QueryDict) -> dict[str, Any]:
    """The count panel's context: the count and its breakdown, or what is wrong."""
    try:
        spec = universes.parse(universes.spec_from_params(data))
        result = universes.breakdown(spec)
    except ApplicationError as exc:
        return {"error": exc}
    return {
        "spec": spec,
        "result": result,
        "charts": _charts(result),
        "filters_used": spec.describe(),
    }


def _builder_context(
    request: HttpRequest, params: QueryDict, universe: Any = None
) -> dict[str, Any]:
    scope = request.staff_scope  # type: ignore[attr-defined]
    units = organizing.org_unit_list().order_by("path")
    counties: dict[str, list[tuple[str, str]]] = {}
    for fips, label in sorted(universes.county_names().items(), key=lambda kv: kv[1]):
        counties.setdefault(label[-2:], []).append((fips, label[:-4]))
    elections = [
        (day.isoformat(), f"{day.year} general", params.get(f"{universes.ELECTION_PARAM}{day}"))
        for day in PRESIDENTIAL_GENERALS
    ]
    multiple = ("state", "county", "party", "general_votes", "status", "tags_any", "tags_none")
    single = ("org_unit", "age_min", "age_max", "missing", "has_email", "has_phone")
    return {
        "universe": universe,
        "selected": {key: set(params.getlist(key)) for key in multiple},
        "value": {key: params.get(key, "") for key in single},
        "states": sorted(counties),
        "counties": sorted(counties.items()),
        # Indented by depth, so the select reads as the tree it is.
        "units": [(u.pk, "\u00a0\u00a0" * (u.path.count("/") - 1) + u.name) for u in units],
        "parties": list(universes.PartyFilter.choices.items()),
        "turnout": list(universes.TurnoutFilter.choices.items()),
        "statuses": list(universes.StatusFilter.choices.items()),
        "elections": elections,
        "tags": list(selectors.tag_list().values_list("name", flat=True)),
        "can_export": scope.everywhere or bool(scope.person_paths),
        # Whom a saved universe is for: the staff member's own units and those below them.
        "own_units": [
            (u.pk, "\u00a0\u00a0" * (u.path.count("/") - 1) + u.name)
            for u in units
            if scope.is_superuser or any(u.path.startswith(p) for p in scope.unit_paths)
        ],
        "whole_campaign": scope.everywhere,
        "count_url": reverse("people:universe_count"),
        **_result_context(params),
    }


def _for_unit(data: QueryDict) -> int | None:
    """The unit chosen under "Made for"; none means the default (or, for national staff who
    choose "the whole campaign", no unit)."""
    raw = data.get("for_unit", "")
    return int(raw) if raw.isdigit() else None


@staff_required
def universe_builder(request: HttpRequest, universe_id: int | None = None) -> HttpResponse:
    """Build a universe: filters on the left, the live count on the right, and save.

    Without JavaScript the form posts with ``action=count`` and the page shows the count.
    """
    universe = None
    if universe_id is not None:
        universe = selectors.universe_get(universe_id, request.staff_scope)  # type: ignore[attr-defined]
        if universe is None:
            raise Http404("No such universe.")
    status = 200
    errors: dict[str, str] = {}
    if request.method == "POST":
        params = _filter_params(request.POST)
        if request.POST.get("action") == "save":
            try:
                saved = universe_services.universe_save(
                    actor=request.user,
                    name=request.POST.get("name", ""),
                    description=request.POST.get("description", ""),
                    filters=universes.spec_from_params(params),
                    universe_id=universe_id,
                    org_unit_id=_for_unit(request.POST),
                )
            except ApplicationError as exc:
                errors[exc.field or "spec"] = exc.message
                status = exc.status
            else:
                messages.success(request, f"Saved “{saved.name}”: {saved.last_count:,} people.")
                return redirect("people:universe", universe_id=saved.pk)
    elif universe is not None and not request.GET:
        params = QueryDict(mutable=True)
        for key, value in _params_of(universe.filters).items():
            if isinstance(value, list):
                params.setlist(key, value)
            else:
                params[key] = value
    else:
        params = _filter_params(request.GET)
    context = _builder_context(request, params, universe)
    if "error" in context and status == 200:
        status = context["error"].status
    context["errors"] = errors
    context["name"] = request.POST.get("name", universe.name if universe else "")
    context["description"] = request.POST.get(
        "description", universe.description if universe else ""
    )
    owner = universe.org_unit_id if universe and universe.org_unit_id else ""
    context["for_unit"] = request.POST.get("for_unit", str(owner))
    return render(request, "people/universe_builder.html", context, status=status)


@staff_required
@require_GET
def universe_count(request: HttpRequest) -> JsonResponse:
    """The live count for the builder: JSON with the number and the panel to show."""
    context = _result_context(_filter_params(request.GET))
    html = render_to_string("people/universe_result.html", context, request=request)
    error = context.get("error")
    if error is not None:
        return JsonResponse({**error.as_dict(), "html": html}, status=error.status)
    return JsonResponse({"count": context["result"].total, "html": html})


@staff_required
@require_POST
def universe_delete(request: HttpRequest, universe_id: int) -> HttpResponse:
    try:
        universe_services.universe_delete(actor=request.user, universe_id=universe_id)
    except NotFound:
        raise Http404("No such universe.") from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Universe deleted.")
    return redirect("people:universes")


@staff_required
@require_POST
def universe_recount(request: HttpRequest, universe_id: int) -> HttpResponse:
    try:
        universe = universe_services.universe_recount(actor=request.user, universe_id=universe_id)
    except NotFound:
        raise Http404("No such universe.") from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Counted “{universe.name}”: {universe.last_count:,} people.")
    return redirect("people:universes")


class _Echo:
    """A file that hands back what is written, so ``csv`` can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


@staff_required
@require_GET
def universe_export(request: HttpRequest, universe_id: int) -> HttpResponse:
    """The universe's people in the staff member's units, as CSV streamed row by row."""
    try:
        export = universe_services.universe_export(actor=request.user, universe_id=universe_id)
    except NotFound:
        raise Http404("No such universe.") from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("people:universes")
    writer = exports.Writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(export.header)
        for record in export.records:
            yield writer.writerow(record)

    filename = f"universe-{export.universe.pk}-{timezone.localdate().isoformat()}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Row-Count"] = str(export.rows)
    # ``staff_required`` is typed for plain responses; Django serves a streaming one alike.
    return cast(HttpResponse, response)


def _may_see_imports(request: HttpRequest) -> None:
    if not selectors.voter_imports_visible(request.staff_scope):  # type: ignore[attr-defined]
        raise PermissionDenied


@staff_required
def voter_import_list(request: HttpRequest) -> HttpResponse:
    _may_see_imports(request)
    page = Paginator(selectors.voter_import_list(), 50).get_page(request.GET.get("page"))
    return render(request, "people/imports.html", {"page": page})


@staff_required
def voter_import_report(request: HttpRequest, run_id: int) -> HttpResponse:
    """The run's rejected rows as a CSV download."""
    _may_see_imports(request)
    if selectors.voter_import_get(run_id) is None:
        raise Http404("No such import run.")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="voter-import-{run_id}-errors.csv"'
    rows = selectors.voter_import_error_report(run_id, response)
    # The rejected lines are the file's own, names and addresses included.
    audit_read_list(
        actor=request.user,
        entity_type="people.voterimportrowerror",
        count=rows,
        query=f"import run {run_id}",
    )
    return response
