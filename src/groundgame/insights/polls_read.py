"""Reading 538's presidential poll files: the full format of the 2020 and 2024 files (one row
per poll x question x answer) and the 2016 file (one row per question, Clinton's and Trump's
shares in their own columns, each question three times, once per model type).

A file whose header lacks a column the format needs is refused as a whole, naming the
columns. Every other problem is a line's: an unknown state, a share over 100, an end before
the start... Such a line is reported with its number and reason and its question is left out;
the rest of the file is read.

One question per poll. A poll often asks several questions of the same people: likely and
registered voters, the two major candidates alone and with the minor ones, or other
candidates altogether (Sanders against Trump in the 2020 primaries). The average takes one,
chosen in this order:

1. the matchup asked most often in the file (Biden against Trump in 2020, not a primary's
   hypothetical),
2. the best population: likely voters, then voters, registered voters, adults,
3. the most candidates named: the ballot as voters will see it, minor candidates included,
4. the lowest question id, so that reading the same file twice chooses the same question.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from groundgame.core.errors import ValidationFailed
from groundgame.core.text import text_problem
from groundgame.insights import errors
from groundgame.insights.polls_states import UnknownPlace, state_code

# Population codes, best first: likely voters, voters, registered voters, adults.
POPULATIONS = ("lv", "v", "rv", "a")
FULL_COLUMNS = (
    "question_id",
    "poll_id",
    "state",
    "pollster",
    "sample_size",
    "population",
    "start_date",
    "end_date",
    "answer",
    "pct",
)
# Each pair: the column a format may use under either name.
FULL_EITHER = (("candidate_party", "party"), ("numeric_grade", "fte_grade"))
COLUMNS_2016 = (
    "question_id",
    "poll_id",
    "state",
    "pollster",
    "grade",
    "samplesize",
    "population",
    "startdate",
    "enddate",
    "rawpoll_clinton",
    "rawpoll_trump",
)
MAX_TEXT = 200
# The years a poll's dates may fall in (538's files start in the 1990s).
YEARS = (1900, 2200)


class PollInvalid(ValidationFailed):
    """One poll's fields do not make a poll; ``field`` names the field."""


@dataclass(frozen=True)
class PollRecord:
    """One question of one poll, as the average reads it."""

    poll_id: int | None
    question_id: int | None
    cycle: int
    state: str
    pollster: str
    grade: str
    sample_size: int | None
    population: str
    start_date: dt.date
    end_date: dt.date
    dem_candidate: str
    rep_candidate: str
    dem_pct: float
    rep_pct: float
    other_pct: float = 0.0  # the minor candidates named in the question, together
    answers: int = 2
    line: int = 0

    @property
    def margin(self) -> float:
        return self.dem_pct - self.rep_pct

    @property
    def decided(self) -> float:
        """The share that named a candidate (the rest is undecided), at least one point."""
        return max(self.dem_pct + self.rep_pct + self.other_pct, 1.0)


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str


@dataclass
class ReadResult:
    polls: list[PollRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0


def presidential_cycle(day: dt.date) -> int:
    """The presidential election year a poll taken on ``day`` looks to."""
    return day.year + (-day.year) % 4


def parse_date(value: str, name: str) -> dt.date:
    text = value.strip()
    for fmt in ("%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return day
    raise PollInvalid(
        f"{name} {text!r} is not a date (month/day/year or YYYY-MM-DD)",
        code=errors.POLL_DATES_INVALID,
        field=name,
    )


def parse_pct(value: str, name: str) -> float:
    try:
        pct = float(value)
    except ValueError:
        raise PollInvalid(
            f"{name} {value.strip()!r} is not a number", code=errors.POLL_PCT_INVALID, field=name
        ) from None
    if not math.isfinite(pct) or not 0 <= pct <= 100:
        raise PollInvalid(
            f"{name} {pct:g} is not a percentage between 0 and 100",
            code=errors.POLL_PCT_INVALID,
            field=name,
        )
    return pct


def parse_sample_size(value: str, name: str = "sample_size") -> int | None:
    text = value.strip()
    if not text:
        return None
    try:
        size = float(text)
    except ValueError:
        size = -1.0
    if not math.isfinite(size) or size < 1 or size > 10_000_000 or size != int(size):
        raise PollInvalid(
            f"{name} {text!r} is not a number of respondents",
            code=errors.POLL_FIELD_INVALID,
            field=name,
        )
    return int(size)


def parse_population(value: str, name: str = "population") -> str:
    code = value.strip().lower()
    if code not in POPULATIONS:
        raise PollInvalid(
            f"{name} {value.strip()!r} is not one of lv, v, rv, a",
            code=errors.POLL_POPULATION_INVALID,
            field=name,
        )
    return code


def parse_state(value: str, name: str = "state") -> str:
    try:
        return state_code(value)
    except UnknownPlace as exc:
        raise PollInvalid(str(exc), code=errors.POLL_STATE_UNKNOWN, field=name) from None


def parse_text(value: str, name: str, *, required: bool = True) -> str:
    text = value.strip()
    problem = text_problem(text)
    if problem:
        raise PollInvalid(f"{name}: {problem}", code=errors.POLL_FIELD_INVALID, field=name)
    if required and not text:
        raise PollInvalid(f"{name} is empty", code=errors.POLL_FIELD_INVALID, field=name)
    if len(text) > MAX_TEXT:
        raise PollInvalid(
            f"{name} is longer than {MAX_TEXT} characters",
            code=errors.POLL_FIELD_INVALID,
            field=name,
        )
    return text


def parse_id(value: str, name: str) -> int:
    text = value.strip()
    if not text.isdigit() or len(text) > 18:
        raise PollInvalid(
            f"{name} {text!r} is not an id", code=errors.POLL_FIELD_INVALID, field=name
        )
    return int(text)


def check_day(day: dt.date, name: str) -> dt.date:
    """A date polls can be about: within ``YEARS``."""
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise PollInvalid(
            f"{name} {day.isoformat()} is not between {YEARS[0]} and {YEARS[1]}",
            code=errors.POLL_DATES_INVALID,
            field=name,
        )
    return day


def check_dates(start: dt.date, end: dt.date) -> None:
    check_day(start, "start_date")
    check_day(end, "end_date")
    if end < start:
        raise PollInvalid(
            f"end_date {end.isoformat()} is before start_date {start.isoformat()}",
            code=errors.POLL_DATES_INVALID,
            field="end_date",
        )


def check_shares(dem_pct: float, rep_pct: float) -> None:
    if dem_pct + rep_pct > 100.5:  # rounding in the published shares
        raise PollInvalid(
            f"the shares add up to {dem_pct + rep_pct:g}, over 100",
            code=errors.POLL_PCT_INVALID,
            field="rep_pct",
        )


@dataclass
class _Question:
    """One question being read: its fields from its first line, its answers from all."""

    record: dict[str, object]
    line: int
    answers: list[tuple[str, str, float]] = field(default_factory=list)  # party, name, pct
    bad: bool = False


def read_polls(stream: TextIO) -> ReadResult:
    """Read a 538 poll file; refuses it with ``PollInvalid`` (code ``poll_file_columns``)
    when its header lacks columns, ``poll_file_unreadable`` when it is not CSV text."""
    try:
        reader = csv.DictReader(stream)
        header = [name.strip() for name in (reader.fieldnames or [])]
        reader.fieldnames = header
        if {"rawpoll_clinton", "rawpoll_trump"} & set(header):
            _require(header, COLUMNS_2016, ())
            return _choose(*_read_2016(reader))
        _require(header, FULL_COLUMNS, FULL_EITHER)
        return _choose(*_read_full(reader, header))
    except (csv.Error, UnicodeDecodeError) as exc:
        where = f" near line {reader.line_num}" if "reader" in locals() else ""
        raise PollInvalid(
            f"The file is not CSV text{where}: {exc}",
            code=errors.POLL_FILE_UNREADABLE,
            field="file",
        ) from None


def _require(header: list[str], columns: Iterable[str], either: Iterable[tuple[str, str]]) -> None:
    missing = [name for name in columns if name not in header]
    missing += [" or ".join(pair) for pair in either if not set(pair) & set(header)]
    if missing:
        raise PollInvalid(
            "The file lacks the column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing)
            + " of 538's poll format.",
            code=errors.POLL_FILE_COLUMNS,
            field="file",
        )


def _rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, str]]]:
    for row in reader:
        if None in row:  # more cells than the header names
            row.pop(None)
        yield reader.line_num, {k: (v or "") for k, v in row.items()}


def _common(row: dict[str, str], names: dict[str, str]) -> dict[str, object]:
    """The fields every format has, under the names this format gives them."""
    start = parse_date(row[names["start_date"]], "start_date")
    end = parse_date(row[names["end_date"]], "end_date")
    check_dates(start, end)
    cycle_text = row.get("cycle", "").strip()
    cycle = int(cycle_text) if cycle_text.isdigit() and len(cycle_text) == 4 else 0
    return {
        "poll_id": parse_id(row["poll_id"], "poll_id"),
        "question_id": parse_id(row["question_id"], "question_id"),
        "cycle": cycle or presidential_cycle(end),
        "state": parse_state(row["state"]),
        "pollster": parse_text(row["pollster"], "pollster"),
        "sample_size": parse_sample_size(row[names["sample_size"]], names["sample_size"]),
        "population": parse_population(row["population"]),
        "start_date": start,
        "end_date": end,
    }


def _read_2016(reader: csv.DictReader[str]) -> tuple[list[_Question], ReadResult]:
    names = {"start_date": "startdate", "end_date": "enddate", "sample_size": "samplesize"}
    result = ReadResult()
    questions: list[_Question] = []
    seen: set[str] = set()
    for line, row in _rows(reader):
        result.lines += 1
        # Each question is in the file once per model type with the same raw shares.
        if row["question_id"].strip() in seen:
            continue
        seen.add(row["question_id"].strip())
        try:
            record = _common(row, names)
            record["grade"] = parse_text(row["grade"], "grade", required=False)[:8]
            answers = [
                ("DEM", "Clinton", parse_pct(row["rawpoll_clinton"], "rawpoll_clinton")),
                ("REP", "Trump", parse_pct(row["rawpoll_trump"], "rawpoll_trump")),
            ]
            answers += [
                ("OTH", name, parse_pct(row[f"rawpoll_{name}"], f"rawpoll_{name}"))
                for name in ("johnson", "mcmullin")
                if row.get(f"rawpoll_{name}", "").strip()
            ]
        except PollInvalid as exc:
            result.problems.append(Problem(line, exc.message))
            continue
        questions.append(_Question(record=record, line=line, answers=answers))
    return questions, result


def _read_full(
    reader: csv.DictReader[str], header: list[str]
) -> tuple[list[_Question], ReadResult]:
    names = {"start_date": "start_date", "end_date": "end_date", "sample_size": "sample_size"}
    party = "candidate_party" if "candidate_party" in header else "party"
    grade = "numeric_grade" if "numeric_grade" in header else "fte_grade"
    result = ReadResult()
    by_id: dict[str, _Question] = {}
    for line, row in _rows(reader):
        result.lines += 1
        key = row["question_id"].strip()
        question = by_id.get(key)
        try:
            if question is None:
                record = _common(row, names)
                record["grade"] = _grade(row[grade], grade)
                question = by_id[key] = _Question(record=record, line=line)
            pct = parse_pct(row["pct"], "pct")
            answer = parse_text(row["answer"], "answer")
            question.answers.append((row[party].strip().upper(), answer, pct))
        except PollInvalid as exc:
            result.problems.append(Problem(line, exc.message))
            if question is None:
                by_id[key] = _Question(record={}, line=line, bad=True)
            else:
                question.bad = True
    return list(by_id.values()), result


def _grade(value: str, name: str) -> str:
    """A letter grade as it is, or 538's numeric grade (0.0 to 3.0) as its text."""
    text = parse_text(value, name, required=False)
    if name == "numeric_grade" and text:
        number = parse_pct(text, name)
        if number > 3:
            raise PollInvalid(
                f"numeric_grade {text} is over 3.0", code=errors.POLL_FIELD_INVALID, field=name
            )
        return f"{number:.1f}"
    return text[:8]


def _matchup(question: _Question) -> tuple[str, str] | None:
    dems = [name for party, name, _ in question.answers if party == "DEM"]
    reps = [name for party, name, _ in question.answers if party == "REP"]
    return (dems[0], reps[0]) if len(dems) == 1 and len(reps) == 1 else None


def _choose(questions: list[_Question], result: ReadResult) -> ReadResult:
    """One question per poll and state, by the rule in the module's docstring."""
    good = [q for q in questions if not q.bad]
    pairs: Counter[tuple[str, str] | None] = Counter(_matchup(q) for q in good)
    by_poll: dict[tuple[object, object], list[_Question]] = defaultdict(list)
    for question in good:
        if _matchup(question) is None:
            result.problems.append(
                Problem(question.line, "the question has not one Democrat and one Republican")
            )
            continue
        by_poll[(question.record["poll_id"], question.record["state"])].append(question)
    for group in by_poll.values():
        chosen = min(
            group,
            key=lambda q: (
                -pairs[_matchup(q)],
                POPULATIONS.index(str(q.record["population"])),
                -len(q.answers),
                q.record["question_id"],
            ),
        )
        dem, rep = _matchup(chosen) or ("", "")
        shares = {party: pct for party, _, pct in chosen.answers if party in ("DEM", "REP")}
        other = sum(pct for party, _, pct in chosen.answers if party not in ("DEM", "REP"))
        try:
            check_shares(shares["DEM"], shares["REP"])
        except PollInvalid as exc:
            result.problems.append(Problem(chosen.line, exc.message))
            continue
        result.polls.append(
            PollRecord(
                **chosen.record,  # type: ignore[arg-type]
                dem_candidate=dem,
                rep_candidate=rep,
                dem_pct=shares["DEM"],
                rep_pct=shares["REP"],
                other_pct=min(other, 100.0),
                answers=len(chosen.answers),
                line=chosen.line,
            )
        )
    result.problems.sort(key=lambda p: p.line)
    result.polls.sort(key=lambda p: (p.end_date, p.line))
    return result
