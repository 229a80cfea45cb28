from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groundgame.core.decorators import staff_required
from groundgame.core.templatetags.charts import Chart, bar_chart
from groundgame.health import selectors, services
from groundgame.insights import selectors as insights_selectors
from groundgame.messaging import selectors as messaging_selectors
from groundgame.people import selectors as people_selectors

UNIT_KINDS = (("state", "states"), ("region", "regions"), ("team", "teams"))


def _charts(headline: selectors.Headline) -> dict[str, Chart]:
    states = [row.state for row in headline.states]
    years = headline.election_years
    return {
        "ballots_chart": bar_chart(
            "Ballots cast by voters on file, by state",
            "General-election ballots cast by the voters now on the file, per state, "
            + ", ".join(str(y) for y in years)
            + ".",
            states,
            [(str(y), [row.ballots.get(y, 0) for row in headline.states]) for y in years],
            category_label="State",
        ),
        "density_chart": bar_chart(
            "Volunteers per 10,000 voters, by state",
            "Volunteers on a team for every 10,000 voters on file, per state.",
            states,
            [("Volunteers per 10k voters", [row.volunteers_per_10k for row in headline.states])],
            value_format="decimal1",
            category_label="State",
        ),
    }


@staff_required
def home(request: HttpRequest) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    snapshot = services.headline_snapshot()
    headline = snapshot.headline
    units_total = sum(headline.units.values())
    units_note = " · ".join(
        f"{headline.units.get(kind, 0)} {plural}" for kind, plural in UNIT_KINDS
    )
    polling_as_of, polling_rows = selectors.polling_headline()
    return render(
        request,
        "health/home.html",
        {
            "polling_as_of": polling_as_of,
            "polling_rows": polling_rows,
            "headline": headline,
            "units_total": units_total,
            "units_note": units_note,
            "computed_at": snapshot.computed_at,
            "list_alerts": selectors.list_health_alerts(),
            "outboxes": messaging_selectors.local_outboxes(),
            "may_see_imports": people_selectors.voter_imports_visible(scope),
            "turnout": insights_selectors.turnout_vs_goal(),
            **_charts(headline),
        },
    )
