"""The polling average's rules, for any polls: only polls that ended by the date count; the
interval holds the average and is wider than sampling error alone; a pollster's lean is
taken out; the plain mean is the baseline it is compared with."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from groundgame.insights.polling_average import (
    ErrorSizes,
    election_day,
    plain_mean,
    polling_average,
)
from groundgame.insights.polls_read import PollRecord

SIZES = ErrorSizes(common=2.5, state=3.0, poll=1.5, drift_per_day=0.05, years=(2012,))
ELECTION = dt.date(2024, 11, 5)


def poll(
    state: str = "NC",
    *,
    pollster: str = "Lakeside",
    dem: float = 48,
    rep: float = 46,
    end: dt.date = dt.date(2024, 10, 20),
    size: int | None = 800,
    population: str = "lv",
    grade: str = "B",
) -> PollRecord:
    return PollRecord(
        poll_id=None,
        question_id=None,
        cycle=2024,
        state=state,
        pollster=pollster,
        grade=grade,
        sample_size=size,
        population=population,
        start_date=end - dt.timedelta(days=2),
        end_date=end,
        dem_candidate="Harris",
        rep_candidate="Trump",
        dem_pct=dem,
        rep_pct=rep,
    )


polls_strategy = st.lists(
    st.builds(
        poll,
        state=st.sampled_from(["", "NC", "PA", "WI"]),
        pollster=st.sampled_from(["A", "B", "C", "D"]),
        dem=st.floats(30, 60),
        rep=st.floats(30, 60),
        end=st.dates(dt.date(2024, 6, 1), dt.date(2024, 11, 4)),
        size=st.one_of(st.none(), st.integers(100, 20_000)),
        population=st.sampled_from(["lv", "rv", "v", "a"]),
        grade=st.sampled_from(["A+", "B", "C/D", "2.7", "", "junk"]),
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(polls=polls_strategy, as_of=st.dates(dt.date(2024, 6, 1), dt.date(2024, 11, 5)))
def test_the_interval_holds_the_average_and_is_wider_than_sampling_alone(
    polls: list[PollRecord], as_of: dt.date
) -> None:
    for place in polling_average(polls, as_of=as_of, sizes=SIZES, election=ELECTION):
        assert place.margin_lo80 < place.margin < place.margin_hi80
        assert abs(place.margin - (place.dem_pct - place.rep_pct)) < 1e-9
        assert place.sd > place.sd_sampling
        assert place.sd >= (SIZES.common**2 + SIZES.state**2) ** 0.5


@settings(max_examples=40, deadline=None)
@given(
    polls=polls_strategy,
    later=polls_strategy,
    as_of=st.dates(dt.date(2024, 6, 1), dt.date(2024, 10, 1)),
)
def test_polls_that_ended_after_the_date_change_nothing(
    polls: list[PollRecord], later: list[PollRecord], as_of: dt.date
) -> None:
    after = [
        p.__class__(**{**p.__dict__, "end_date": as_of + dt.timedelta(days=1 + i % 30)})
        for i, p in enumerate(later)
    ]
    alone = polling_average(polls, as_of=as_of, sizes=SIZES, election=ELECTION)
    assert polling_average(polls + after, as_of=as_of, sizes=SIZES, election=ELECTION) == alone


def _lean_left_in_arizona(states: int) -> float:
    """Three pollsters agree in every state; a fourth sits five points to the Democrat's
    side in each, and alone polls Arizona: what is left of its lean there."""
    day = dt.date(2024, 10, 1)
    polls = [poll("AZ", pollster="Leans", dem=49.5, rep=44.5, end=day)]
    for state in ["NC", "PA", "WI", "MI", "GA", "OH", "FL", "TX", "VA", "MN"][:states]:
        polls += [poll(state, pollster=name, dem=47, rep=47, end=day) for name in "ABC"]
        polls.append(poll(state, pollster="Leans", dem=49.5, rep=44.5, end=day))
    places = {p.state: p for p in polling_average(polls, as_of=day, sizes=SIZES)}
    return places["AZ"].margin


def test_a_pollsters_lean_is_taken_out_the_more_the_more_it_polls() -> None:
    raw = 100 * 5 / 94  # the lean, with the undecided allocated
    few, many = _lean_left_in_arizona(2), _lean_left_in_arizona(10)
    assert 0 < many < few < raw
    assert many < raw * 0.6


def test_the_interval_widens_with_time_to_go() -> None:
    polls = [poll(end=dt.date(2024, 9, 1)), poll(end=dt.date(2024, 9, 2))]
    near = polling_average(polls, as_of=dt.date(2024, 9, 3), sizes=SIZES, election=ELECTION)
    far = polling_average(
        polls, as_of=dt.date(2024, 9, 3), sizes=SIZES, election=ELECTION.replace(year=2025)
    )
    assert far[0].sd > near[0].sd


def test_better_polls_weigh_more() -> None:
    day = dt.date(2024, 10, 1)
    polls = [
        poll(pollster="Good", dem=50, rep=44, size=1500, population="lv", grade="A+", end=day),
        poll(pollster="Weak", dem=44, rep=50, size=300, population="a", grade="C/D", end=day),
    ]
    (place,) = polling_average(polls, as_of=day, sizes=SIZES)
    assert place.margin > 0


def test_the_plain_mean_is_the_last_fourteen_days_unweighted() -> None:
    polls = [
        poll(dem=50, rep=40, end=dt.date(2024, 10, 20)),
        poll(dem=40, rep=50, end=dt.date(2024, 10, 10)),
        poll(dem=60, rep=30, end=dt.date(2024, 9, 1)),  # too old
    ]
    assert plain_mean(polls, as_of=dt.date(2024, 10, 21)) == {"NC": 0.0}


def test_election_day_is_the_tuesday_after_the_first_monday_of_november() -> None:
    assert [election_day(y) for y in (2016, 2020, 2024, 2028)] == [
        dt.date(2016, 11, 8),
        dt.date(2020, 11, 3),
        dt.date(2024, 11, 5),
        dt.date(2028, 11, 7),
    ]
