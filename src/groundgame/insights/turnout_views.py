"""The pages of the turnout projection and results analysis. Aggregates only: every staff
member sees them."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString
from django.views.decorators.http import require_http_methods

from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.core.templatetags.charts import bar_chart, line_chart
from groundgame.core.text import text_problem
from groundgame.insights import results_analysis, selectors, services
from groundgame.insights.results_charts import Bar, Interval, diverging_bars, interval_chart
from groundgame.insights.turnout_projection import (
    CountyProjection,
    counties_of_units,
    turnout_report,
)

LOAD_HINT = "groundgame insights load"
SWING_STATES = ("AZ", "GA", "MI", "NV", "NC", "PA", "WI")
# A page shows this many counties in a chart; the table below it has them all.
CHART_ROWS = 25


class EarlyVotesForm(forms.Form):
    csv = forms.CharField(
        label="Early ballots",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "county_fips,early_ballots"}),
        max_length=200_000,
        help_text="CSV with the columns county_fips and early_ballots: ballots cast before "
        "election day, per county of your units.",
    )

    def clean_csv(self) -> str:
        value: str = self.cleaned_data["csv"]
        problem = text_problem(value)
        if problem:
            raise forms.ValidationError(problem)
        return value


class TurnoutGoalForm(forms.Form):
    state = forms.CharField(max_length=2)
    ballots = forms.IntegerField(min_value=1, max_value=99_999_999)


def _county_chart(counties: list[CountyProjection]) -> SafeString:
    rows = sorted(counties, key=lambda c: -c.projection.projected_total)[:CHART_ROWS]

    def change(total: int, last: int) -> float:
        return 100 * (total - last) / last if last else 0.0

    return interval_chart(
        "Projected turnout, your counties",
        "Each county's projected total (dot) and 80% interval (band), as a change from its "
        "last presidential total (the middle line).",
        [
            Interval(
                label=c.county_name or c.projection.county_fips,
                low=change(c.projection.lo80, c.last_total),
                mid=change(c.projection.projected_total, c.last_total),
                high=change(c.projection.hi80, c.last_total),
                text=f"{round(change(c.projection.projected_total, c.last_total)):+d}% "
                f"({round(change(c.projection.lo80, c.last_total)):+d}% to "
                f"{round(change(c.projection.hi80, c.last_total)):+d}%)",
            )
            for c in rows
        ],
    )


@staff_required
@require_http_methods(["GET", "POST"])
def turnout(request: HttpRequest) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    year = selectors.election_year()
    form = EarlyVotesForm(request.POST if "csv" in request.POST else None)
    goal_form = TurnoutGoalForm(request.POST if "ballots" in request.POST else None)
    status = 200
    if request.method == "POST":
        try:
            if form.is_bound and form.is_valid():
                read = services.early_votes_import(
                    actor=request.user, year=year, text=form.cleaned_data["csv"]
                )
                messages.success(request, f"Early ballots recorded for {len(read.rows)} counties.")
                return redirect("insights:turnout")
            if goal_form.is_bound and goal_form.is_valid():
                goal = services.turnout_goal_set(
                    actor=request.user,
                    year=year,
                    state=goal_form.cleaned_data["state"],
                    ballots=goal_form.cleaned_data["ballots"],
                )
                messages.success(request, f"Goal set: {goal}.")
                return redirect("insights:turnout")
            status = 400
        except ApplicationError as exc:
            target = form if form.is_bound else goal_form
            target.add_error(exc.field if exc.field in target.fields else None, exc.message)
            status = exc.status
    report = turnout_report(year)
    mine = report.counties
    if not scope.everywhere:
        covered = counties_of_units(scope.unit_paths)
        mine = [c for c in report.counties if c.projection.county_fips in covered]
    return render(
        request,
        "insights/turnout.html",
        {
            "report": report,
            "mine": mine,
            "county_chart": _county_chart(mine) if mine else None,
            "form": form,
            "goal_form": goal_form,
            "may_set_goals": scope.is_admin,
            "load_hint": LOAD_HINT,
            "loads": selectors.election_file_loads(),
        },
        status=status,
    )


def _year(request: HttpRequest, name: str, default: int, years: list[int]) -> int:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and int(value) in years else default


@dataclass(frozen=True)
class Change:
    before: results_analysis.YearTurnout
    after: results_analysis.YearTurnout

    @property
    def dem(self) -> int:
        return self.after.dem - self.before.dem

    @property
    def dem_pct(self) -> float:
        return 100 * self.dem / self.before.dem if self.before.dem else 0.0


def _dem_change(years: list[results_analysis.YearTurnout]) -> Change | None:
    """The Democratic vote from the last election but one to the last (81 to 75 million)."""
    return Change(years[-2], years[-1]) if len(years) > 1 else None


@staff_required
@require_http_methods(["GET"])
def results(request: HttpRequest) -> HttpResponse:
    years = results_analysis.years_held()
    if not years:
        return render(request, "insights/results.html", {"loaded": False, "load_hint": LOAD_HINT})
    year_to = _year(request, "to", years[-1], years)
    year_from = _year(request, "from", years[-2] if len(years) > 1 else years[-1], years)
    turnout_years = results_analysis.turnout_by_year()
    states = results_analysis.swing_by_state(year_from, year_to)
    counties = results_analysis.swing_by_county(year_from, year_to)
    third = results_analysis.third_party(2024)
    shown_third = [t for t in third if t.exceeds_margin or t.state in SWING_STATES]
    return render(
        request,
        "insights/results.html",
        {
            "loaded": True,
            "years": years,
            "year_from": year_from,
            "year_to": year_to,
            "turnout_years": turnout_years,
            "turnout_chart": line_chart(
                "Presidential votes by election",
                "Votes for president in the counties held, per election: all, Democratic "
                "and Republican.",
                [str(t.year) for t in turnout_years],
                [
                    ("All votes", [t.total for t in turnout_years]),
                    ("Democratic", [t.dem for t in turnout_years]),
                    ("Republican", [t.gop for t in turnout_years]),
                ],
                category_label="Year",
            ),
            "states": states,
            "state_chart": diverging_bars(
                f"Swing by state, {year_from} to {year_to}",
                "The move of the Democratic margin (points), most Republican first.",
                [Bar(s.name, s.swing, f"{s.swing:+.1f}") for s in states],
            ),
            "county_ends": counties[:15] + counties[-15:] if len(counties) > 30 else counties,
            "county_count": len(counties),
            "third": third,
            "shown_third": shown_third,
            "dem_change": _dem_change(turnout_years),
            "third_chart": bar_chart(
                "Third-party votes against the winning margin, 2024",
                "Per state where third-party votes exceeded the margin, and the swing states: "
                "the winner's margin over the runner-up, and the votes for every other "
                "candidate.",
                [t.state for t in shown_third],
                [
                    ("Winning margin", [t.margin for t in shown_third]),
                    ("Third-party votes", [t.third_party_votes for t in shown_third]),
                ],
                category_label="State",
            ),
            "load_hint": LOAD_HINT,
        },
    )
