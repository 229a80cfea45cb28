"""Staff pages of turfs: cutting a universe, the cut's map, a turf's route and walk list with
its hand adjustments, the printable walk sheet, and handing a turf out as a walk list.

A turf lists the people at each door, so every page here needs a role that may see
personal data, inside its units; a cut or turf outside them is not found (404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from groundgame.audit.services import audit_read
from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.field import selectors, services, turf_selectors
from groundgame.field.models import Turf, TurfCut
from groundgame.field.turf_forms import TurfCutForm, WalkListForm
from groundgame.organizing.selectors import StaffScope

# Doors per printed page of a walk sheet: a clipboard page a canvasser can read outdoors.
SHEET_DOORS_PER_PAGE = 25


def _scope(request: HttpRequest) -> StaffScope:
    scope: StaffScope = request.staff_scope  # type: ignore[attr-defined]
    if not (scope.everywhere or scope.person_paths):
        raise PermissionDenied  # analysts work on aggregates; turfs list people
    return scope


def _status(exc: ApplicationError) -> int:
    return exc.status if 400 <= exc.status < 500 else 400


def _cut_or_404(scope: StaffScope, cut_id: int) -> TurfCut:
    cut = selectors.turf_cut_get(scope=scope, cut_id=cut_id)
    if cut is None:
        raise Http404("No such cut in your units.")
    return cut


def _turf_or_404(scope: StaffScope, turf_id: int) -> Turf:
    turf = selectors.turf_get(scope=scope, turf_id=turf_id)
    if turf is None:
        raise Http404("No such turf in your units.")
    return turf


@staff_required
@require_http_methods(["GET", "POST"])
def turf_cut_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = TurfCutForm(request.POST or None, scope=scope, initial={"boundary": ""})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            cut = services.turf_cut(
                actor=request.user,
                universe_id=form.cleaned_data["universe"],
                org_unit_id=form.cleaned_data["org_unit"],
                target_doors=form.cleaned_data["target_doors"],
                boundary=form.cleaned_data["boundary"] or "",
                name=form.cleaned_data["name"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = _status(exc)
        else:
            messages.success(request, f"Cut into {cut.turfs.count()} turfs.")
            return redirect("field:cut", cut_id=cut.pk)
    elif request.method == "POST":
        status = 422
    cuts = list(selectors.turf_cut_list(scope=scope)[:100])
    return render(request, "field/turf_cut_list.html", {"form": form, "cuts": cuts}, status=status)


@staff_required
def turf_cut_detail(request: HttpRequest, cut_id: int) -> HttpResponse:
    scope = _scope(request)
    cut = _cut_or_404(scope, cut_id)
    turfs = list(selectors.turf_list(scope=scope, cut_id=cut.pk))
    shapes = turf_selectors.turf_cut_map(turfs)
    # The walk lists' figures as each turf's page shows them, not those of the cut's moment.
    doors = [shape.counts.doors for shape in shapes.shapes]
    return render(
        request,
        "field/turf_cut_detail.html",
        {
            "cut": cut,
            "turfs": turfs,
            "map": shapes,
            "doors_min": min(doors, default=0),
            "doors_max": max(doors, default=0),
            "meters_per_door": _per_door(turfs),
            "size_warnings": turf_selectors.turf_size_warnings(cut, shapes.shapes),
            "far_from_target": round(100 * turf_selectors.FAR_FROM_TARGET),
        },
    )


def _per_door(turfs: list[Turf]) -> float:
    doors = sum(t.doors for t in turfs)
    return sum(t.route_meters for t in turfs) / doors if doors else 0.0


def _turf_context(request: HttpRequest, turf: Turf, **extra: Any) -> dict[str, Any]:
    walk = turf_selectors.turf_walk(turf)
    audit_read(
        actor=request.user,
        entity_type="field.turf",
        entity_id=turf.pk,
        summary=f"walk list of {turf.name}: {walk.people} people",
    )
    scope = _scope(request)
    siblings = [t for t in selectors.turf_list(scope=scope, cut_id=turf.cut_id) if t.pk != turf.pk]
    return {
        "turf": turf,
        "walk": walk,
        "siblings": siblings,
        "walk_lists": selectors.walk_list_list(turf_id=turf.pk),
        "list_form": extra.pop("list_form", None)
        or WalkListForm(scope=scope, unit_path=turf.org_unit.path),
        "per_door": turf.route_meters / turf.doors if turf.doors else 0.0,
        **extra,
    }


@staff_required
def turf_detail(request: HttpRequest, turf_id: int) -> HttpResponse:
    turf = _turf_or_404(_scope(request), turf_id)
    return render(request, "field/turf_detail.html", _turf_context(request, turf))


@staff_required
def walk_sheet(request: HttpRequest, turf_id: int) -> HttpResponse:
    turf = _turf_or_404(_scope(request), turf_id)
    context = _turf_context(request, turf)
    doors = context["walk"].doors
    context["pages"] = [
        doors[i : i + SHEET_DOORS_PER_PAGE] for i in range(0, len(doors), SHEET_DOORS_PER_PAGE)
    ]
    return render(request, "field/walk_sheet.html", context)


def _ids(values: list[str]) -> list[int]:
    """Ids from form values; a door's checkbox carries its households' ids, comma separated."""
    return [int(v) for value in values for v in value.split(",") if v.strip().isdigit()]


def _refused(request: HttpRequest, turf: Turf, message: str, status: int) -> HttpResponse:
    """The turf page again, saying why an adjustment was not made."""
    messages.error(request, message)
    return render(request, "field/turf_detail.html", _turf_context(request, turf), status=status)


@staff_required
@require_POST
def turf_move(request: HttpRequest, turf_id: int) -> HttpResponse:
    """Move the ticked households of this turf to another turf of the cut."""
    turf = _turf_or_404(_scope(request), turf_id)
    households = _ids(request.POST.getlist("households"))
    target = _ids([request.POST.get("to", "")])
    if not target:
        return _refused(request, turf, "Choose the turf to move them to.", 422)
    try:
        moved = services.turf_stops_move(
            actor=request.user, household_ids=households, to_turf_id=target[0]
        )
    except ApplicationError as exc:
        return _refused(request, turf, exc.message, _status(exc))
    messages.success(request, f"{len(households)} households moved to {moved.name}.")
    return redirect("field:turf", turf_id=turf.pk)


@staff_required
@require_POST
def turf_merge(request: HttpRequest, turf_id: int) -> HttpResponse:
    turf = _turf_or_404(_scope(request), turf_id)
    target = _ids([request.POST.get("into", "")])
    if not target:
        return _refused(request, turf, "Choose the turf to merge this one into.", 422)
    try:
        into = services.turf_merge(actor=request.user, turf_id=turf.pk, into_turf_id=target[0])
    except ApplicationError as exc:
        return _refused(request, turf, exc.message, _status(exc))
    messages.success(request, f"{turf.name} merged into {into.name}.")
    return redirect("field:turf", turf_id=into.pk)


@staff_required
@require_POST
def turf_split(request: HttpRequest, turf_id: int) -> HttpResponse:
    turf = _turf_or_404(_scope(request), turf_id)
    try:
        kept, new = services.turf_split(actor=request.user, turf_id=turf.pk)
    except ApplicationError as exc:
        return _refused(request, turf, exc.message, _status(exc))
    messages.success(
        request, f"Split into {kept.name} ({kept.doors} doors) and {new.name} ({new.doors} doors)."
    )
    return redirect("field:turf", turf_id=kept.pk)


@staff_required
@require_POST
def walk_list_create(request: HttpRequest, turf_id: int) -> HttpResponse:
    scope = _scope(request)
    turf = _turf_or_404(scope, turf_id)
    form = WalkListForm(request.POST, scope=scope, unit_path=turf.org_unit.path)
    if form.is_valid():
        try:
            walk_list = services.walk_list_create(
                actor=request.user,
                turf_id=turf.pk,
                shift_id=form.cleaned_data["shift"],
                canvasser_id=form.cleaned_data["canvasser"],
                script_id=form.cleaned_data["script"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Walk list {walk_list.code} is ready.")
            return redirect(reverse("field:turf", kwargs={"turf_id": turf.pk}) + "#walk-lists")
    context = _turf_context(request, turf, list_form=form)
    return render(request, "field/turf_detail.html", context, status=422)
