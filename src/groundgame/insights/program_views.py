"""Pages of measurement: turnout models (``/insights/propensity/``) and programs with their
holdouts, power and lift (``/insights/programs/``). Models, power and lift are aggregates
every staff member sees; the writes check the staff member's scope in their services."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groundgame.core import exports
from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError, ValidationFailed
from groundgame.insights import errors, holdouts, lift_charts, lift_outcomes, propensity, selectors
from groundgame.insights.models import Outcome, Program
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import selectors as people_selectors


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return default


def _float(value: str | None) -> float | None:
    try:
        return float((value or "").strip())
    except ValueError:
        return None


@staff_required
@require_http_methods(["GET", "POST"])
def propensity_page(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        try:
            model = propensity.propensity_fit(
                actor=request.user, state=request.POST.get("state", "")
            )
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, f"{model.state}: {model.voters_scored} voters scored.")
            return redirect("insights:propensity")
    models = list(selectors.propensity_model_list()[:20])
    current = [m for m in models if m.current]
    return render(
        request,
        "insights/propensity.html",
        {
            "current": [
                (m, lift_charts.calibration_svg(m.backtest.get("calibration", []))) for m in current
            ],
            "earlier": [m for m in models if not m.current],
            "states": people_selectors.voter_states(),
            "may_fit": organizing_selectors.staff_scope(request.user).is_admin,
            "error": error,
        },
        status=error.status if error else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def program_list(request: HttpRequest) -> HttpResponse:
    scope = organizing_selectors.staff_scope(request.user)
    error = None
    if request.method == "POST":
        try:
            program = holdouts.program_create(
                actor=request.user,
                name=request.POST.get("name", ""),
                universe_id=_int(request.POST.get("universe"), 0) or 0,
                org_unit_id=_int(request.POST.get("org_unit"), 0) or 0,
                holdout_percent=_percent(request.POST.get("holdout_percent")),
                target_effect_bp=_hundredths(request.POST.get("target_effect")),
            )
        except ApplicationError as exc:
            error = exc
        else:
            return redirect("insights:program", program_id=program.pk)
    return render(
        request,
        "insights/program_list.html",
        {
            "programs": selectors.program_list(),
            "outcomes": selectors.outcome_list(),
            "universes": people_selectors.universe_list(scope),
            "units": organizing_selectors.org_unit_choices(scope),
            "kinds": [k for k in Outcome.Kind.choices if k[0] != Outcome.Kind.VOTED],
            "error": error,
            "posted": request.POST if error else {},
        },
        status=error.status if error else 200,
    )


def _hundredths(raw: str | None) -> Any:
    """Points typed as hundredths of a point (0 when it is no number: the service refuses it)."""
    value = _float(raw)
    return round(100 * value) if value is not None and math.isfinite(value) else 0


def _percent(raw: str | None) -> Any:
    """The share as typed: a whole number goes to the service, anything else as it is, so
    that the service names the field."""
    value = _float(raw)
    if value is None or not math.isfinite(value):
        return raw or ""
    return int(value) if value == int(value) else value


def _program_or_404(program_id: int) -> Program:
    program = selectors.program_get(program_id)
    if program is None:
        raise Http404
    return program


@staff_required
@require_GET
def program_detail(request: HttpRequest, program_id: int) -> HttpResponse:
    return _detail(request, _program_or_404(program_id))


def _detail(
    request: HttpRequest, program: Program, error: ApplicationError | None = None
) -> HttpResponse:
    scope = organizing_selectors.staff_scope(request.user)
    readings = [
        reading
        for outcome in selectors.outcome_list()
        if (reading := selectors.program_lift(program, outcome)) is not None
    ]
    return render(
        request,
        "insights/program_detail.html",
        {
            "program": program,
            "power": selectors.program_power(program),
            "readings": [(r, lift_charts.lift_svg(r)) for r in readings],
            "pieces": program.pieces.order_by("added_at"),
            "may_change": holdouts.may_change(scope, program)
            and scope.covers(program.org_unit.path),
            "started": program.status == Program.Status.RUNNING,
            "error": error,
        },
        status=error.status if error else 200,
    )


@staff_required
@require_POST
def program_action(request: HttpRequest, program_id: int, action: str) -> HttpResponse:
    program = _program_or_404(program_id)
    try:
        if action == "draw":
            holdouts.program_holdout_draw(
                actor=request.user, program_id=program.pk, seed=_int(request.POST.get("seed"))
            )
        elif action == "holdout":
            holdouts.program_holdout_set(
                actor=request.user,
                program_id=program.pk,
                holdout_percent=_percent(request.POST.get("holdout_percent")),
            )
        elif action == "piece":
            holdouts.program_piece_add(
                actor=request.user,
                program_id=program.pk,
                channel=request.POST.get("channel", ""),
                name=request.POST.get("name", ""),
            )
        elif action == "start":
            holdouts.program_start(actor=request.user, program_id=program.pk)
        else:
            raise Http404
    except ApplicationError as exc:
        return _detail(request, _program_or_404(program_id), exc)
    return redirect("insights:program", program_id=program.pk)


@staff_required
@require_POST
def outcome_create(request: HttpRequest) -> HttpResponse:
    try:
        if request.POST.get("kind") == Outcome.Kind.VOTED:
            try:
                day = dt.date.fromisoformat(request.POST.get("election_date", "").strip())
            except ValueError:
                raise ValidationFailed(
                    "Give the election's date as YYYY-MM-DD.",
                    code=errors.OUTCOME_INVALID,
                    field="election_date",
                ) from None
            lift_outcomes.outcome_turnout_create(
                actor=request.user, name=request.POST.get("name", ""), election_date=day
            )
        else:
            upload = request.FILES.get("file")
            lift_outcomes.outcome_file_upload(
                actor=request.user,
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                data=upload.read() if upload is not None else b"",
            )
    except ApplicationError as exc:
        rows = getattr(exc, "rows", [])
        return render(
            request,
            "insights/outcome_refused.html",
            {"error": exc, "rows": rows},
            status=exc.status,
        )
    messages.success(request, "Outcome recorded: every program's lift now reads it.")
    return redirect("insights:programs")


@staff_required
@require_GET
def program_assignments_csv(request: HttpRequest, program_id: int) -> HttpResponse:
    """Who was held out, for the people the staff member may see (audited)."""
    program = _program_or_404(program_id)
    scope = organizing_selectors.staff_scope(request.user)
    rows = selectors.assignment_rows(program, scope)
    holdouts.assignments_read(actor=request.user, program=program, count=rows.count())

    lines = _csv_lines(
        ["person_id", "household_id", "side"],
        ((p, h, "held out" if out else "in program") for p, h, out in rows.iterator()),
    )
    return _csv(lines, f"program-{program.pk}-assignments.csv")


@staff_required
@require_GET
def program_lift_csv(request: HttpRequest, program_id: int) -> HttpResponse:
    program = _program_or_404(program_id)
    header = [
        "outcome", "assigned", "held_out", "assigned_rate", "held_out_rate", "effect_points",
        "ci_low_points", "ci_high_points", "naive_ci_low_points", "naive_ci_high_points",
        "contact_rate", "complier_effect_points", "complier_ci_low", "complier_ci_high",
    ]  # fmt: skip
    rows = []
    for outcome in selectors.outcome_list():
        reading = selectors.program_lift(program, outcome)
        if reading is None:
            continue
        itt, c = reading.itt, reading.complier
        rows.append(
            [
                outcome.name,
                itt.assigned,
                itt.held_out,
                round(itt.assigned_rate, 4),
                round(itt.held_out_rate, 4),
                round(100 * itt.effect, 2),
                round(100 * itt.interval.low, 2),
                round(100 * itt.interval.high, 2),
                round(100 * itt.naive.low, 2),
                round(100 * itt.naive.high, 2),
                round(c.contact_rate, 4) if c else "",
                round(100 * c.effect, 2) if c else "",
                round(100 * c.interval.low, 2) if c else "",
                round(100 * c.interval.high, 2) if c else "",
            ]
        )
    return _csv(_csv_lines(header, rows), f"program-{program.pk}-lift.csv")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(header: list[str], rows: Any) -> Iterator[str]:
    writer = exports.Writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def _csv(lines: Any, filename: str) -> HttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # ``staff_required`` is typed for plain responses; Django serves a streaming one alike.
    return cast(HttpResponse, response)
