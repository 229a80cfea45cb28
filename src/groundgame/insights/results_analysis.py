"""Results analysis on the real returns the desk holds: turnout from one presidential
election to the next, the swing of the margin per state and county, and third-party votes
against the winning margin. Every figure carries the file (and, for one county or candidate,
the line) it was summed from."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Min, Sum

from groundgame.insights.models import CountyReturn, StateCandidateReturn

MAJOR_PARTIES = ("DEMOCRAT", "REPUBLICAN")


@dataclass(frozen=True)
class YearTurnout:
    year: int
    total: int
    dem: int
    gop: int
    other: int
    counties: int
    source_files: tuple[str, ...]


def turnout_by_year() -> list[YearTurnout]:
    """National presidential votes per election year (the sum of the counties held)."""
    rows = (
        CountyReturn.objects.values("year", "source_file")
        .annotate(
            total=Sum("total_votes"),
            dem=Sum("votes_dem"),
            gop=Sum("votes_gop"),
            other=Sum("votes_other"),
            counties=Count("id"),
        )
        .order_by("year", "source_file")
    )
    years: dict[int, YearTurnout] = {}
    for r in rows:
        before = years.get(r["year"])
        years[r["year"]] = YearTurnout(
            year=r["year"],
            total=r["total"] + (before.total if before else 0),
            dem=r["dem"] + (before.dem if before else 0),
            gop=r["gop"] + (before.gop if before else 0),
            other=r["other"] + (before.other if before else 0),
            counties=r["counties"] + (before.counties if before else 0),
            source_files=(*(before.source_files if before else ()), r["source_file"]),
        )
    return list(years.values())


@dataclass(frozen=True)
class Swing:
    """The Democratic margin (points of the total) in two years, and its move."""

    key: str
    name: str
    state: str
    margin_from: float
    margin_to: float
    total_from: int
    total_to: int
    source: str

    @property
    def swing(self) -> float:
        return self.margin_to - self.margin_from

    @property
    def turnout_change(self) -> float:
        return 100 * (self.total_to - self.total_from) / self.total_from if self.total_from else 0


def _margin(dem: int, gop: int, total: int) -> float:
    return 100 * (dem - gop) / total if total else 0.0


def swing_by_state(year_from: int, year_to: int) -> list[Swing]:
    sums = {
        (r["year"], r["state"]): r
        for r in CountyReturn.objects.filter(year__in=(year_from, year_to))
        .values("year", "state")
        .annotate(
            dem=Sum("votes_dem"),
            gop=Sum("votes_gop"),
            total=Sum("total_votes"),
            source=Min("source_file"),
        )
    }
    result = []
    for state in sorted({s for (_, s) in sums}):
        a, b = sums.get((year_from, state)), sums.get((year_to, state))
        if a is None or b is None:
            continue
        result.append(
            Swing(
                key=state,
                name=state,
                state=state,
                margin_from=_margin(a["dem"], a["gop"], a["total"]),
                margin_to=_margin(b["dem"], b["gop"], b["total"]),
                total_from=a["total"],
                total_to=b["total"],
                source=f"{a['source']} ({year_from}), {b['source']} ({year_to})",
            )
        )
    return sorted(result, key=lambda s: s.swing)


def swing_by_county(year_from: int, year_to: int, *, state: str = "") -> list[Swing]:
    """Counties held in both years (a county renamed or redrawn between them, as
    Connecticut's planning regions of 2024, is left out), ordered by swing."""
    rows = CountyReturn.objects.filter(year__in=(year_from, year_to))
    if state:
        rows = rows.filter(state=state)
    by_county: dict[str, dict[int, CountyReturn]] = {}
    for r in rows.only(
        "year",
        "county_fips",
        "state",
        "county_name",
        "votes_dem",
        "votes_gop",
        "total_votes",
        "source_file",
        "source_row",
    ):
        by_county.setdefault(r.county_fips, {})[r.year] = r
    result = []
    for fips, years in by_county.items():
        a, b = years.get(year_from), years.get(year_to)
        if a is None or b is None or not a.total_votes or not b.total_votes:
            continue
        result.append(
            Swing(
                key=fips,
                name=b.county_name,
                state=b.state,
                margin_from=_margin(a.votes_dem, a.votes_gop, a.total_votes),
                margin_to=_margin(b.votes_dem, b.votes_gop, b.total_votes),
                total_from=a.total_votes,
                total_to=b.total_votes,
                source=f"{a.source_file} line {a.source_row}; {b.source_file} line {b.source_row}",
            )
        )
    return sorted(result, key=lambda s: s.swing)


@dataclass(frozen=True)
class ThirdParty:
    state: str
    winner: str
    runner_up: str
    margin: int
    third_party_votes: int
    source: str

    @property
    def exceeds_margin(self) -> bool:
        return self.third_party_votes > self.margin


def third_party(year: int, states: tuple[str, ...] = ()) -> list[ThirdParty]:
    """Per state: the winner, their margin over the runner-up, and the votes for every
    candidate of neither major party (write-ins included)."""
    rows = StateCandidateReturn.objects.filter(year=year).order_by("state", "-votes")
    if states:
        rows = rows.filter(state__in=states)
    by_state: dict[str, list[StateCandidateReturn]] = {}
    for row in rows:
        by_state.setdefault(row.state, []).append(row)
    result = []
    for state, candidates in by_state.items():
        if len(candidates) < 2:
            continue
        first, second = candidates[0], candidates[1]
        result.append(
            ThirdParty(
                state=state,
                winner=first.candidate,
                runner_up=second.candidate,
                margin=first.votes - second.votes,
                third_party_votes=sum(
                    c.votes for c in candidates if c.party.upper() not in MAJOR_PARTIES
                ),
                source=f"{first.source_file} lines {min(c.source_row for c in candidates)}-"
                f"{max(c.source_row for c in candidates)}",
            )
        )
    return result


def years_held() -> list[int]:
    return list(CountyReturn.objects.values_list("year", flat=True).distinct().order_by("year"))
