"""Reading 538's poll formats: a file without the format's columns is refused naming them;
every other bad line is reported with its number and reason while the rest is read; one
question per poll."""

from __future__ import annotations

import io

import pytest

from groundgame.insights import errors
from groundgame.insights.polls_read import PollInvalid, read_polls
from tests.helpers import shared_data
from tests.insights.builders import HEADER, poll_csv, question


def read(text: str):  # type: ignore[no-untyped-def]
    return read_polls(io.StringIO(text))


def test_missing_columns_refuse_the_file_naming_them() -> None:
    header = tuple(c for c in HEADER if c not in ("pct", "fte_grade"))
    with pytest.raises(PollInvalid) as caught:
        read(poll_csv(question(1, 1), header=header))
    assert caught.value.code == errors.POLL_FILE_COLUMNS
    assert caught.value.field == "file"
    assert "pct" in caught.value.message
    assert "numeric_grade or fte_grade" in caught.value.message


def test_a_2016_file_without_trumps_column_is_refused_by_name() -> None:
    text = (
        "question_id,poll_id,state,pollster,grade,samplesize,population,startdate,enddate,"
        "rawpoll_clinton\n"
    )
    with pytest.raises(PollInvalid) as caught:
        read(text)
    assert caught.value.code == errors.POLL_FILE_COLUMNS
    assert "rawpoll_trump" in caught.value.message


def test_bad_lines_are_reported_with_line_and_reason_and_the_rest_is_read() -> None:
    text = poll_csv(
        question(1, 1),  # lines 2-3: good
        question(2, 2, state="Narnia"),  # lines 4-5
        question(3, 3, dem=("Harris", "120")),  # lines 6-7: the Democrat's line
        question(4, 4, start="10/5/24", end="10/3/24"),  # lines 8-9
        question(5, 5, population="likely"),  # lines 10-11
        question(6, 6, state="Maine CD-2"),  # lines 12-13
        question(7, 7, end="13/45/24"),  # lines 14-15
        question(8, 8, state="PA"),  # lines 16-17: good, by code
    )
    result = read(text)
    assert [(p.question_id, p.state) for p in result.polls] == [(1, "NC"), (8, "PA")]
    reasons = {p.line: p.reason for p in result.problems}
    assert "unknown state 'Narnia'" in reasons[4]
    assert "pct 120 is not a percentage between 0 and 100" in reasons[6]
    assert "end_date 2024-10-03 is before start_date 2024-10-05" in reasons[8]
    assert "population 'likely'" in reasons[10]
    assert "congressional district" in reasons[12]
    assert "end_date '13/45/24' is not a date" in reasons[14]
    assert result.lines == 16


def test_two_shares_over_100_are_refused() -> None:
    result = read(poll_csv(question(1, 1, dem=("Harris", "60"), rep=("Trump", "55"))))
    assert result.polls == []
    assert "over 100" in result.problems[0].reason


def test_control_characters_refuse_the_line() -> None:
    result = read(poll_csv(question(1, 1, pollster="Piedmont\x00 Research")))
    assert result.polls == []
    assert result.problems[0].line == 2
    assert "control characters" in result.problems[0].reason


def test_one_question_per_poll_by_the_documented_rule() -> None:
    third = (("Stein", "GRE", "2"), ("Oliver", "LIB", "1"))
    text = poll_csv(
        # Poll 1: registered voters, likely voters head to head, likely voters full field.
        question(10, 1, population="rv", dem=("Harris", "50")),
        question(11, 1, population="lv", dem=("Harris", "49")),
        question(12, 1, population="lv", dem=("Harris", "47"), others=third),
        # Poll 2 asks about another Democrat too; the matchup asked most often wins.
        question(20, 2, dem=("Whitmer", "45"), population="lv"),
        question(21, 2, dem=("Harris", "44"), population="rv"),
        question(30, 3),
    )
    polls = {p.poll_id: p for p in read(text).polls}
    assert polls[1].question_id == 12
    assert polls[1].other_pct == 3
    assert polls[2].question_id == 21
    assert polls[2].dem_candidate == "Harris"
    assert len(polls) == 3


@pytest.mark.parametrize(
    ("name", "polls", "first_problem"),
    [
        ("president_general_polls_2016_538.csv", 4179, "congressional district"),
        ("president_polls_2020_to_2020-10-21_538.csv", 2955, "congressional district"),
        ("president_polls_2024_cycle_to_2024-03-06_538.csv", 1474, "congressional district"),
    ],
)
def test_538s_files_are_read(name: str, polls: int, first_problem: str) -> None:
    with shared_data("polls", name).open(newline="", encoding="utf-8-sig") as stream:
        result = read_polls(stream)
    assert len(result.polls) == polls
    assert first_problem in result.problems[0].reason
    # One question per poll and state.
    assert len({(p.poll_id, p.state) for p in result.polls}) == len(result.polls)
