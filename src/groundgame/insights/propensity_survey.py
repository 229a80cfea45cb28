"""The turnout model checked against real people: the share of "always" voters by age in
FiveThirtyEight's 2020 non-voter survey (Ipsos KnowledgePanel, 5,836 U.S. citizens matched to
a voter file by Aristotle, so their turnout is validated, not self-reported).

The survey calls "always" a voter who cast a ballot in all, or all but one, of the national
elections they were eligible for since 2000, and keeps only respondents eligible for at least
four. The same reading of a state's file: a voter eligible (18 by then) for at least four of
the file's generals who voted in all of them or all but one. The file holds five generals at
most, against the survey's up to ten, so the file's "always" is an easier bar; the check
says how far apart the two are per age band, not that they must agree.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Value, When

from groundgame.insights.propensity_features import is_general, sampled, years_before
from groundgame.people import selectors as people_selectors

# Age bands of the check: the survey's youngest respondents (eligible for four elections)
# were about 26 in 2020.
BANDS = (("26-34", 26, 34), ("35-49", 35, 49), ("50-64", 50, 64), ("65+", 65, 200))


def _band(age: int) -> str | None:
    return next((name for name, low, high in BANDS if low <= age <= high), None)


def survey_always_by_age(path: Path) -> dict[str, dict[str, float]]:
    """Per age band: the weighted share of "always" voters, and the respondents."""
    totals: dict[str, list[float]] = {name: [0.0, 0.0, 0.0] for name, _, _ in BANDS}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            band = _band(int(row["ppage"]))
            if band is None:
                continue
            weight = float(row["weight"])
            totals[band][0] += weight * (row["voter_category"] == "always")
            totals[band][1] += weight
            totals[band][2] += 1
    return {
        name: {"always": round(always / weight, 4), "respondents": int(n)}
        for name, (always, weight, n) in totals.items()
        if weight
    }


def file_always_by_age(state: str, *, every: int = 1) -> dict[str, dict[str, float]]:
    """Per age band on the last general: the share of the state's voters eligible for four
    of its generals or more who voted in all of them or all but one, and their mean turnout
    score (when scored). ``every`` reads one voter in so many."""
    generals = [d for d in people_selectors.election_dates(state) if is_general(d)]
    if not generals:
        return {}
    last = generals[-1]
    born = "person__birth_date"
    eligible = sum(
        (
            Case(
                When(**{f"{born}__lte": years_before(g, 18)}, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for g in generals
        ),
        Value(0, output_field=IntegerField()),
    )
    rows = sampled(
        people_selectors.voters_of_state(state)
        .filter(**{f"{born}__isnull": False})
        .annotate(
            voted=Count("history", filter=Q(history__election_date__in=generals)),
            eligible=eligible,
        )
        .order_by()
        .values_list(born, "voted", "eligible", "propensity__score"),
        every=every,
    )
    totals: dict[str, list[float]] = {name: [0, 0, 0.0, 0] for name, _, _ in BANDS}
    for birth, voted, eligible_n, score in rows:
        band = _band(_age(birth, last))
        if band is None or eligible_n < 4:
            continue
        totals[band][0] += voted >= eligible_n - 1
        totals[band][1] += 1
        if score is not None:
            totals[band][2] += score
            totals[band][3] += 1
    out: dict[str, dict[str, Any]] = {}
    for name, (always, n, score_sum, scored) in totals.items():
        if n:
            out[name] = {
                "always": round(always / n, 4),
                "voters": int(n),
                "mean_score": round(score_sum / scored, 4) if scored else None,
            }
    return out


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def compare(
    file: dict[str, dict[str, Any]], survey: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per band: the file's and the survey's "always" shares and how far apart, in points."""
    return [
        {
            "band": name,
            "file_always": file[name]["always"],
            "survey_always": survey[name]["always"],
            "difference_points": round(100 * (file[name]["always"] - survey[name]["always"]), 1),
            "file_mean_score": file[name]["mean_score"],
            "voters": file[name]["voters"],
            "respondents": survey[name]["respondents"],
        }
        for name, _, _ in BANDS
        if name in file and name in survey
    ]
