"""Poll files and polls for the insights tests, in 538's full format."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

HEADER = (
    "question_id",
    "poll_id",
    "cycle",
    "state",
    "pollster",
    "fte_grade",
    "sample_size",
    "population",
    "start_date",
    "end_date",
    "answer",
    "candidate_party",
    "pct",
)


def question(
    question_id: int,
    poll_id: int,
    *,
    state: str = "North Carolina",
    pollster: str = "Piedmont Research",
    grade: str = "B",
    sample_size: str = "800",
    population: str = "lv",
    start: str = "10/1/24",
    end: str = "10/3/24",
    dem: tuple[str, str] = ("Harris", "48"),
    rep: tuple[str, str] = ("Trump", "46"),
    others: tuple[tuple[str, str, str], ...] = (),
) -> list[dict[str, str]]:
    """The rows of one question: a Democrat, a Republican and any others (name, party, pct)."""
    base = {
        "question_id": str(question_id),
        "poll_id": str(poll_id),
        "cycle": "2024",
        "state": state,
        "pollster": pollster,
        "fte_grade": grade,
        "sample_size": sample_size,
        "population": population,
        "start_date": start,
        "end_date": end,
    }
    answers = [(dem[0], "DEM", dem[1]), (rep[0], "REP", rep[1]), *others]
    return [{**base, "answer": a, "candidate_party": p, "pct": pct} for a, p, pct in answers]


def poll_csv(*questions: list[dict[str, str]], header: tuple[str, ...] = HEADER) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for rows in questions:
        writer.writerows(rows)
    return out.getvalue()


def poll_fields(**changes: Any) -> dict[str, Any]:
    """The keyword arguments of ``services.poll_create`` for a North Carolina poll."""
    fields: dict[str, Any] = {
        "state": "NC",
        "pollster": "Piedmont Research",
        "grade": "B",
        "sample_size": 800,
        "population": "lv",
        "start_date": dt.date(2024, 10, 1),
        "end_date": dt.date(2024, 10, 3),
        "dem_candidate": "Harris",
        "rep_candidate": "Trump",
        "dem_pct": 48.0,
        "rep_pct": 46.0,
    }
    fields.update(changes)
    return fields
