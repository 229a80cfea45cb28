"""The reads of the insights app that pages, the API, the command line and other apps need.
Everything here is an aggregate (polls, averages, backtests): no personal data, so every
staff member may read it and no read is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, QuerySet

from groundgame.core.errors import ValidationFailed
from groundgame.insights import backtests, errors, polls_history
from groundgame.insights.models import Poll, PollImport, PollImportProblem
from groundgame.insights.polling_average import ErrorSizes, PlaceAverage, polling_average
from groundgame.insights.polls_chart import signed
from groundgame.insights.polls_read import YEARS, PollInvalid, PollRecord, check_day, read_polls
from groundgame.insights.polls_states import STATES, UnknownPlace, place_name, state_code
from groundgame.organizing import selectors as organizing

# The chart of a place shows its average this many weeks back, a point a week.
SERIES_WEEKS = 16
BACKTEST_CACHE_SECONDS = 24 * 3600
AVERAGE_CACHE_SECONDS = 3600


def public_data() -> Path:
    return Path(settings.GROUNDGAME_PUBLIC_DATA)


@lru_cache(maxsize=4)
def _sizes_from(path: Path, mtime: float) -> ErrorSizes:
    return polls_history.error_sizes(path, before=9999)


def error_sizes() -> ErrorSizes:
    """The historical error sizes the desk's intervals use: from every presidential year of
    the raw-polls file when it is at hand, the bundled figures otherwise."""
    path = public_data() / "polls" / "raw_polls_with_results_538_2023release.csv"
    if not path.exists():
        return polls_history.BUNDLED
    return _sizes_from(path, path.stat().st_mtime)


def poll_list(*, state: str | None = None) -> QuerySet[Poll]:
    polls = Poll.objects.all()
    return polls if state is None else polls.filter(state=state)


def poll_count() -> int:
    return Poll.objects.count()


def _record(poll: Poll) -> PollRecord:
    return PollRecord(
        poll_id=poll.poll_id,
        question_id=poll.question_id,
        cycle=poll.cycle,
        state=poll.state,
        pollster=poll.pollster,
        grade=poll.grade,
        sample_size=poll.sample_size,
        population=poll.population,
        start_date=poll.start_date,
        end_date=poll.end_date,
        dem_candidate=poll.dem_candidate,
        rep_candidate=poll.rep_candidate,
        dem_pct=poll.dem_pct,
        rep_pct=poll.rep_pct,
        other_pct=poll.other_pct,
    )


def _records(as_of: dt.date, weeks_back: int = 0) -> list[PollRecord]:
    since = as_of - dt.timedelta(days=180 + 7 * weeks_back)
    polls = Poll.objects.filter(end_date__lte=as_of, end_date__gte=since)
    return [_record(p) for p in polls.order_by("end_date", "pk")]


def latest_poll_date() -> dt.date | None:
    latest: dt.date | None = Poll.objects.aggregate(latest=Max("end_date"))["latest"]
    return latest


def as_of_date(value: str | None = None) -> dt.date | None:
    """The date an average is read as of: the one asked for (YYYY-MM-DD), or the end of the
    latest poll (the desk shows the race as the last poll left it, not a stale "today")."""
    if value:
        try:
            day = dt.date.fromisoformat(value.strip())
            return check_day(day, "as_of")
        except (ValueError, PollInvalid):
            raise ValidationFailed(
                f"as_of {value.strip()[:20]!r} is not a date (YYYY-MM-DD) between "
                f"{YEARS[0]} and {YEARS[1]}.",
                code=errors.AVERAGE_DATE_INVALID,
                field="as_of",
            ) from None
    return latest_poll_date()


def place_code(value: str) -> str:
    """A state's postal code, or "" for the nation ("US", "national" or blank)."""
    try:
        return state_code(value)
    except UnknownPlace as exc:
        raise ValidationFailed(
            f"{exc}.", code=errors.AVERAGE_STATE_UNKNOWN, field="state"
        ) from None


@dataclass(frozen=True)
class Average:
    as_of: dt.date | None
    places: list[PlaceAverage]

    def place(self, state: str) -> PlaceAverage | None:
        return next((p for p in self.places if p.state == state), None)


def _polls_version() -> str:
    """What the polls are now, in a few characters: a kept average is good while it holds."""
    found = Poll.objects.aggregate(count=Count("pk"), changed=Max("updated_at"))
    changed = found["changed"].timestamp() if found["changed"] else 0
    return f"{found['count']}:{changed}"


def _averages(day: dt.date, weeks: int) -> list[tuple[dt.date, list[PlaceAverage]]]:
    """Every place's average as of ``day`` and each of the ``weeks`` weeks before, kept in
    the cache until a poll is added or changed: the table and every place's chart read them."""
    key = f"insights:averages:{day.isoformat()}:{weeks}:{_polls_version()}"
    found: list[tuple[dt.date, list[PlaceAverage]]] | None = cache.get(key)
    if found is None:
        records = _records(day, weeks)
        sizes = error_sizes()
        points = [day - dt.timedelta(weeks=w) for w in range(weeks, -1, -1)]
        found = [(p, polling_average(records, as_of=p, sizes=sizes)) for p in points]
        cache.set(key, found, AVERAGE_CACHE_SECONDS)
    return found


def polling_average_as_of(as_of: dt.date | None = None) -> Average:
    """The average of every place with polls as of a date (default: the latest poll's)."""
    day = as_of or latest_poll_date()
    if day is None:
        return Average(as_of=None, places=[])
    return Average(day, _averages(day, 0)[-1][1])


def polling_series(state: str, as_of: dt.date | None = None) -> list[tuple[dt.date, PlaceAverage]]:
    """A place's average week by week up to ``as_of``, for its chart."""
    day = as_of or latest_poll_date()
    if day is None:
        return []
    return [
        (point, place)
        for point, places in _averages(day, SERIES_WEEKS)
        for place in places
        if place.state == state
    ]


def campaign_states() -> list[str]:
    """The states the campaign has units in."""
    units = organizing.org_unit_list().filter(kind="state").exclude(state="")
    return sorted(set(units.values_list("state", flat=True)))


def polling_headline() -> Average:
    """The average in the campaign's states (the desk's and the health page's headline), the
    nation first."""
    average = polling_average_as_of()
    wanted = {"", *campaign_states()}
    return Average(average.as_of, [p for p in average.places if p.state in wanted])


@dataclass(frozen=True)
class PlaceRow:
    """A place's average as a table shows it."""

    place: PlaceAverage
    code: str  # its page's address: the state's code, "US" for the nation
    name: str
    label: str  # the margin as people read it: D+3.2, R+1.0
    lo: str
    hi: str


def place_rows(average: Average) -> list[PlaceRow]:
    return [
        PlaceRow(
            place=p,
            code=p.state or "US",
            name=place_name(p.state),
            label=signed(p.margin),
            lo=signed(p.margin_lo80),
            hi=signed(p.margin_hi80),
        )
        for p in average.places
    ]


def polls_average_of_file(stream: TextIO, as_of: dt.date) -> list[PlaceAverage]:
    """The average as of a date of the polls in a 538-format file (the command line's
    ``polls average``); refuses a file without the format's columns."""
    result = read_polls(stream)
    return polling_average(result.polls, as_of=as_of, sizes=error_sizes())


def poll_import_get(import_id: int) -> PollImport | None:
    return PollImport.objects.filter(pk=import_id).select_related("started_by").first()


def poll_import_list() -> QuerySet[PollImport]:
    return PollImport.objects.select_related("started_by").defer("content")


def poll_import_problems(import_id: int) -> QuerySet[PollImportProblem]:
    return PollImportProblem.objects.filter(poll_import_id=import_id)


def backtest_names() -> list[str]:
    return backtests.names()


def backtest_results(only: list[str] | None = None) -> dict[str, Any]:
    """The registered backtests' figures on the public data set (computed afresh)."""
    return backtests.run(public_data(), only)


def backtest_results_cached(name: str) -> dict[str, Any]:
    """One backtest's figures as the desk shows them: computed once a day, they read
    files that do not change."""
    key = f"insights:backtest:{name}"
    found: dict[str, Any] | None = cache.get(key)
    if found is None:
        found = backtest_results([name])[name]
        cache.set(key, found, BACKTEST_CACHE_SECONDS)
    return found


def state_codes() -> list[str]:
    return sorted(STATES)
