"""Organizer reporting per org unit with roll-ups up the tree, contact goals with their pace,
and materials against need. Aggregates: every staff member may read them for any unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from groundgame.content import selectors as content_selectors
from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.core.templatetags.charts import Chart, bar_chart, line_chart
from groundgame.field import goal_services, material_selectors, reporting
from groundgame.field.models import ContactGoal, MaterialRequest
from groundgame.organizing import selectors as organizing
from groundgame.volunteers import metrics as volunteers_metrics

WINDOWS = (7, 28, 90)


class GoalForm(forms.Form):
    measure = forms.ChoiceField(choices=ContactGoal.Measure.choices)
    target = forms.IntegerField(min_value=1)
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class MaterialForm(forms.Form):
    org_unit = forms.TypedChoiceField(coerce=int, label="For unit")
    kind = forms.ChoiceField(choices=MaterialRequest.Kind.choices)
    quantity_needed = forms.IntegerField(min_value=1, label="How many")
    needed_by = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    lead_time_days = forms.IntegerField(
        min_value=0, max_value=120, initial=10, label="Printer lead time (days)"
    )


def _window(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", 28))
    except ValueError:
        days = 28
    return days if days in WINDOWS else 28


def _totals(
    rolled: dict[tuple[int, dt.date], reporting.Day], unit_id: int, days: list[dt.date]
) -> reporting.Day:
    total = reporting.Day()
    for day in days:
        total.add(rolled.get((unit_id, day), reporting.Day()))
    return total


@staff_required
@require_http_methods(["GET", "POST"])
def unit_report(request: HttpRequest) -> HttpResponse:
    units = organizing.org_unit_paths()
    if not units:
        raise Http404("No org units yet.")
    root = min(units, key=lambda unit_id: len(units[unit_id][0]))
    try:
        unit_id = int(request.GET.get("unit", root))
    except ValueError:
        unit_id = root
    if unit_id not in units:
        raise Http404("No such unit.")
    path, name, kind = units[unit_id]
    today = timezone.localdate()
    window = _window(request)
    since = today - dt.timedelta(days=window - 1)
    goal_form = GoalForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if goal_form.is_valid():
            try:
                goal_services.contact_goal_set(
                    actor=request.user, org_unit_id=unit_id, **goal_form.cleaned_data
                )
            except ApplicationError as exc:
                if exc.field in goal_form.fields:
                    goal_form.add_error(exc.field, exc.message)
                else:
                    messages.error(request, exc.message)
                status = exc.status
            else:
                messages.success(request, "Goal saved.")
                return redirect(f"{request.path}?unit={unit_id}&days={window}")
        else:
            status = 400
    goals = reporting.goals_for([unit_id])
    earliest = min([since, *[g.starts_on for g in goals]])
    rolled = reporting.rolled_up_days(earliest, today)
    days = reporting.dates(since, today)
    total = _totals(rolled, unit_id, days)
    first_contact = volunteers_metrics.time_to_first_contact(
        since=dt.datetime.combine(since, dt.time.min, tzinfo=timezone.get_current_timezone()),
        until=timezone.now(),
        now=timezone.now(),
    )
    children = sorted(
        (
            (
                child_id,
                child_name,
                _totals(rolled, child_id, days),
                first_contact.get(child_path),
            )
            for child_id, (child_path, child_name, _k) in units.items()
            if child_path.startswith(path) and child_path.count("/") == path.count("/") + 1
        ),
        key=lambda row: -row[2].doors,
    )
    ancestors = [
        (uid, units[uid][1])
        for uid in sorted(
            (u for u, (p, _n, _k) in units.items() if path.startswith(p) and u != unit_id),
            key=lambda u: len(units[u][0]),
        )
    ]
    daily = [rolled.get((unit_id, d), reporting.Day()) for d in days]
    progress = [reporting.goal_progress(g, rolled, today) for g in goals]
    issues = reporting.top_issues(path=path, since=since, until=today)
    scripts = content_selectors.script_choices()
    script_id = _script(request, scripts)
    columns = [unit_id, *(child[0] for child in children)]
    answers = (
        reporting.answer_counts(
            script_id=script_id,
            unit_ids=columns,
            since=since,
            until=today,
        )
        if script_id is not None
        else []
    )
    context: dict[str, Any] = {
        "unit": {"id": unit_id, "name": name, "kind": kind},
        "ancestors": ancestors,
        "window": window,
        "windows": WINDOWS,
        "since": since,
        "today": today,
        "total": total,
        "volunteers": reporting.volunteers_out(path=path, since=since, until=today),
        "children": children,
        "progress": progress,
        "issues": issues,
        "first_contact": first_contact.get(path, volunteers_metrics.FirstContact()),
        "scripts": scripts,
        "script_id": script_id,
        "answers": [
            (
                counts,
                _answer_chart(counts, unit_id, name, window) if counts.total else None,
                counts.table(columns),
            )
            for counts in answers
        ],
        "goal_form": goal_form,
        "daily_chart": line_chart(
            f"Doors and conversations per day, {name}",
            f"Doors knocked and conversations held per day under {name}, last {window} days.",
            [d.strftime("%b %-d") for d in days],
            [
                ("Doors", [d.doors for d in daily]),
                ("Conversations", [d.conversations for d in daily]),
            ],
            category_label="Day",
        ),
        "goal_charts": [
            line_chart(
                f"{p.goal.get_measure_display()} toward {p.goal.target:,} by "
                f"{p.goal.due_on:%b %-d}",
                "Done so far against a steady pace from the start to the due date.",
                [d.strftime("%b %-d") for d, _done, _target in p.series],
                [
                    ("Done", [done for _d, done, _t in p.series]),
                    ("Steady pace", [round(t) for _d, _done, t in p.series]),
                ],
                category_label="Day",
            )
            for p in progress
            if p.series
        ],
        "issues_chart": bar_chart(
            f"Top issues raised at the door, {name}",
            f"Share of conversations naming each issue, last {window} days.",
            [i.label for i in issues],
            [("Share of mentions", [i.share for i in issues])],
            value_format="percent",
            category_label="Issue",
        )
        if issues
        else None,
    }
    return render(request, "field/reporting.html", context, status=status)


def _script(request: HttpRequest, scripts: list[tuple[int, str]]) -> int | None:
    """The script whose answers the page counts: the one asked for, else the first."""
    try:
        wanted = int(request.GET.get("script", ""))
    except ValueError:
        wanted = None
    ids = [pk for pk, _title in scripts]
    return wanted if wanted in ids else (ids[0] if ids else None)


def _answer_chart(
    counts: reporting.QuestionCounts, unit_id: int, name: str, window: int
) -> Chart | None:
    """A choice or scale question's answers under the unit, as bars."""
    if not counts.question.charted:
        return None
    return bar_chart(
        counts.question.prompt,
        f"Answers given in conversations under {name}, last {window} days.",
        [v.label for v in counts.values],
        [("Answers", [v.counts.get(unit_id, 0) for v in counts.values])],
        category_label="Answer",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def materials(request: HttpRequest) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    today = timezone.localdate()
    form = MaterialForm(request.POST if request.POST.get("action") == "request" else None)
    form.fields["org_unit"].choices = organizing.org_unit_choices(scope)  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "request" and form.is_valid():
                data = dict(form.cleaned_data)
                goal_services.material_request_create(
                    actor=request.user, org_unit_id=data.pop("org_unit"), **data
                )
                messages.success(request, "Requested.")
                return redirect("field_reports:materials")
            if action in ("order", "deliver"):
                request_id = int(request.POST.get("request", 0))
                quantity = int(request.POST.get("quantity", 0))
                if action == "order":
                    goal_services.material_order(
                        actor=request.user, request_id=request_id, quantity=quantity
                    )
                else:
                    goal_services.material_deliver(
                        actor=request.user, request_id=request_id, quantity=quantity
                    )
                messages.success(request, "Ordered." if action == "order" else "Delivery counted.")
                return redirect("field_reports:materials")
            status = 400
        except ApplicationError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                messages.error(request, exc.message)
            status = exc.status
        except ValueError:
            messages.error(request, "Give a whole number.")
            status = 400
    rows = material_selectors.material_rows(scope=scope, today=today)
    return render(
        request,
        "field/materials.html",
        {
            "rows": rows,
            "late": sum(r.late for r in rows),
            "totals": material_selectors.material_totals(),
            "form": form,
            "today": today,
        },
        status=status,
    )
