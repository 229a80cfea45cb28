"""The features of the turnout model, as one query over a state's voter file.

Every feature is read relative to a target general election T, so that the same query
describes the voters before an election already held (to fit and to backtest) and before the
next one (to score):

- ``general_1``, ``general_2``: voted in the last general before T, and the one before;
- ``primaries``: primaries voted in during the four years before T;
- ``early_or_mail``: ballots cast early or by mail in those four years;
- ``age_*``: the voter's age band on T (35-49 is the reference), or no birth date;
- ``new_registrant``: registered within the two years before T; ``registered_unknown``.

The query groups the voter table with its history in the database, so a state's file is read
once, set-based: the fit reads a sample of its rows, and scoring wraps the same SQL in one
``INSERT ... SELECT`` that applies the fitted coefficients (``propensity.score_state``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When

from groundgame.people import selectors as people_selectors

METHODS_EARLY_OR_MAIL = ("early", "mail")
# Age bands on election day: (name, youngest, oldest); 35-49 is the model's reference band.
AGE_BANDS = (
    ("age_18_24", 18, 24),
    ("age_25_34", 25, 34),
    ("age_50_64", 50, 64),
    ("age_65_plus", 65, 200),
)
FEATURES = (
    "general_1",
    "general_2",
    "primaries",
    "early_or_mail",
    *(name for name, _, _ in AGE_BANDS),
    "age_unknown",
    "new_registrant",
    "registered_unknown",
)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def is_general(day: dt.date) -> bool:
    """A general election: November of an even year."""
    return day.month == 11 and day.year % 2 == 0


def next_general(after: dt.date) -> dt.date:
    """The first Tuesday after the first Monday of November, two years on (by statute)."""
    first = dt.date(after.year + 2, 11, 2)
    return first + dt.timedelta(days=(1 - first.weekday()) % 7)


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def features(
    state: str, *, target: dt.date, elections: list[dt.date], label: bool
) -> QuerySet[Any]:
    """``(id, *FEATURES[, voted])`` per voter of ``state`` who could vote on ``target``
    (registered before it or on an unknown day, 18 by then or of unknown age)."""
    generals = sorted((d for d in elections if is_general(d) and d < target), reverse=True)
    window = years_before(target, 4)
    history = Q(history__election_date__gte=window, history__election_date__lt=target)
    primaries = [d for d in elections if not is_general(d) and window <= d < target]
    born = "person__birth_date"
    age_flags: dict[str, Any] = {}
    for name, youngest, oldest in AGE_BANDS:
        latest_birth = years_before(target, youngest)
        earliest_birth = years_before(target, oldest + 1)
        age_flags[name] = _flag(Q(**{f"{born}__lte": latest_birth, f"{born}__gt": earliest_birth}))
    voted_in: dict[str, Any] = {}
    for i, name in enumerate(("general_1", "general_2")):
        voted_in[name] = (
            Count("history", filter=Q(history__election_date=generals[i]))
            if i < len(generals)
            else Value(0, output_field=IntegerField())
        )
    annotations: dict[str, Any] = {
        **voted_in,
        "primaries": Count("history", filter=Q(history__election_date__in=primaries))
        if primaries
        else Value(0, output_field=IntegerField()),
        "early_or_mail": Count(
            "history", filter=history & Q(history__method__in=METHODS_EARLY_OR_MAIL)
        ),
        **age_flags,
        "age_unknown": _flag(Q(**{f"{born}__isnull": True})),
        "new_registrant": _flag(Q(registered_on__gte=years_before(target, 2))),
        "registered_unknown": _flag(Q(registered_on__isnull=True)),
    }
    if label:
        annotations["voted"] = Count("history", filter=Q(history__election_date=target))
    eligible = (Q(registered_on__lt=target) | Q(registered_on__isnull=True)) & (
        Q(**{f"{born}__lte": years_before(target, 18)}) | Q(**{f"{born}__isnull": True})
    )
    columns = ["pk", *FEATURES, *(["voted"] if label else [])]
    rows: QuerySet[Any] = (
        people_selectors.voters_of_state(state)
        .filter(eligible)
        .annotate(**annotations)
        .order_by()
        .values_list(*columns)
    )
    return rows


def sampled(queryset: QuerySet[Any], *, every: int) -> QuerySet[Any]:
    """One voter in ``every``, by id: a fixed, reproducible sample for the fit."""
    if every <= 1:
        return queryset
    narrowed: QuerySet[Any] = queryset.alias(_bucket=F("pk") % every).filter(_bucket=0)
    return narrowed
