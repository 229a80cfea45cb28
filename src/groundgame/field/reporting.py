"""Organizer reporting: per org unit and per day, doors knocked, conversations, contact rate,
volunteers out, shifts filled and the issues voters raised, rolled up the tree; and each
contact goal's pace with a projected finish date.

Counting is done in SQL per (unit, day) for the units that own results (teams); every unit
above gets the sum of the units under it, computed here from the org-unit paths, so a state
director and a team organizer read the same numbers at their own level.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Concat, TruncWeek

from groundgame.content import selectors as content_selectors
from groundgame.events import selectors as events_selectors
from groundgame.field import canvass_selectors
from groundgame.field.models import CanvassAnswer, CanvassResult, ContactGoal
from groundgame.organizing import selectors as organizing

TALKED = CanvassResult.Outcome.TALKED
# A goal is on track while its done share is at least this share of the time elapsed.
ON_TRACK = 0.95
# The pace a projection assumes: the average of the last this-many days.
RECENT_DAYS = 7


@dataclass
class Day:
    doors: int = 0
    conversations: int = 0
    volunteers: int = 0
    shifts_filled: int = 0
    shift_places: int = 0

    def add(self, other: Day) -> None:
        self.doors += other.doors
        self.conversations += other.conversations
        self.volunteers += other.volunteers
        self.shifts_filled += other.shifts_filled
        self.shift_places += other.shift_places

    @property
    def contact_rate(self) -> float | None:
        return self.conversations / self.doors if self.doors else None

    @property
    def fill_rate(self) -> float | None:
        return self.shifts_filled / self.shift_places if self.shift_places else None


def _own_days(since: dt.date, until: dt.date) -> dict[tuple[int, dt.date], Day]:
    """Each unit's own results and shifts per day (not yet rolled up)."""
    days: dict[tuple[int, dt.date], Day] = defaultdict(Day)
    for count in canvass_selectors.canvass_daily_counts(since=since, until=until):
        day = days[(count.org_unit_id, count.day)]
        day.doors = count.doors
        day.conversations = count.conversations
        day.volunteers = count.volunteers
    for (unit_id, day_), (filled, places) in events_selectors.shift_fill_by_unit_day(
        since=since, until=until
    ).items():
        days[(unit_id, day_)].shifts_filled = filled
        days[(unit_id, day_)].shift_places = places
    return days


def _ancestor_ids(paths: dict[int, str]) -> dict[int, list[int]]:
    """Each unit's id with the ids of every unit above it."""
    by_path = {path: unit_id for unit_id, path in paths.items()}
    result = {}
    for unit_id, path in paths.items():
        prefixes = organizing.unit_path_ancestors(path)
        result[unit_id] = [by_path[p] for p in prefixes if p in by_path]
    return result


def rolled_up_days(since: dt.date, until: dt.date) -> dict[tuple[int, dt.date], Day]:
    """Every unit's days with everything under it added in."""
    paths = {unit_id: info[0] for unit_id, info in organizing.org_unit_paths().items()}
    ancestors = _ancestor_ids(paths)
    rolled: dict[tuple[int, dt.date], Day] = defaultdict(Day)
    for (unit_id, day_), own in _own_days(since, until).items():
        for above in ancestors.get(unit_id, [unit_id]):
            rolled[(above, day_)].add(own)
    return rolled


def dates(since: dt.date, until: dt.date) -> list[dt.date]:
    return [since + dt.timedelta(days=i) for i in range((until - since).days + 1)]


@dataclass(frozen=True)
class IssueCount:
    key: str
    label: str
    count: int
    share: float


def _counted_answers(path: str, since: dt.date, until: dt.date) -> QuerySet[CanvassAnswer]:
    """Answers given in conversations under a unit in the window, less the results a
    reviewer found not genuine."""
    start = dt.datetime.combine(since, dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    return CanvassAnswer.objects.filter(
        result__org_unit__path__startswith=path,
        result__outcome=TALKED,
        result__recorded_at__gte=start,
        result__recorded_at__lt=end,
    ).exclude(result__review=CanvassResult.Review.REJECTED)


def top_issues(*, path: str, since: dt.date, until: dt.date) -> list[IssueCount]:
    """The issues voters named in conversations under a unit, most named first: the answers
    to every script's issues question, labelled as the scripts that asked it word them."""
    rows = list(
        _counted_answers(path, since, until)
        .filter(question=content_selectors.ISSUES_KEY)
        .values_list("script_version_id", "option")
        .annotate(n=Count("pk"))
    )
    labels = _option_labels(
        {v for v, _o, _n in rows if v is not None}, content_selectors.ISSUES_KEY
    )
    counts: dict[str, int] = defaultdict(int)
    for _version, option, n in rows:
        counts[option] += n
    total = sum(counts.values())
    return sorted(
        (
            IssueCount(key, labels.get(key, key), n, n / total if total else 0.0)
            for key, n in counts.items()
        ),
        key=lambda row: (-row.count, row.key),
    )


@dataclass(frozen=True)
class IssueWeek:
    """Conversations under a unit in one week and county that answered the issues question
    (``issue`` ""), or that named one issue."""

    week: dt.date
    state: str
    county_fips: str
    issue: str
    conversations: int


def issue_weeks(*, path: str, since: dt.date, until: dt.date) -> list[IssueWeek]:
    """The issues voters named at the door per week (starting Monday), state and county,
    with how many conversations answered the question at all: each conversation's answers
    have one row at position 0, so those rows count the conversations that answered."""
    rows = (
        _counted_answers(path, since, until)
        .filter(question=content_selectors.ISSUES_KEY)
        .annotate(week=TruncWeek("result__recorded_at"))
        .values_list("week", "result__household__state", "result__household__county_fips", "option")
        .annotate(n=Count("pk"))
        .order_by()
    )
    answered: dict[tuple[dt.date, str, str], int] = defaultdict(int)
    out: list[IssueWeek] = []
    for week, state, county, option, n in rows:
        day = week.date() if isinstance(week, dt.datetime) else week
        out.append(IssueWeek(day, state, county, option, n))
    for week, state, county, n in (
        _counted_answers(path, since, until)
        .filter(question=content_selectors.ISSUES_KEY, position=0)
        .annotate(week=TruncWeek("result__recorded_at"))
        .values_list("week", "result__household__state", "result__household__county_fips")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        day = week.date() if isinstance(week, dt.datetime) else week
        answered[(day, state, county)] += n
    out.extend(IssueWeek(w, s, c, "", n) for (w, s, c), n in answered.items())
    return out


def _option_labels(version_ids: set[int], question: str) -> dict[str, str]:
    """The options' labels of a question across versions, the newest version's wording
    winning."""
    labels: dict[str, str] = {}
    for _pk, questions in sorted(content_selectors.version_questions(version_ids).items()):
        for asked in questions:
            if asked.key == question:
                labels.update(asked.values())
    return labels


@dataclass(frozen=True)
class ValueCount:
    value: str
    label: str
    counts: dict[int, int]  # unit id -> answers under it


@dataclass(frozen=True)
class QuestionCounts:
    """A question's answers under each unit asked about: per option (or step of a scale),
    and how many conversations answered it."""

    question: content_selectors.Question
    values: list[ValueCount]
    answered: dict[int, int]

    @property
    def total(self) -> int:
        return max(self.answered.values(), default=0)

    def table(self, unit_ids: list[int]) -> list[tuple[str, list[int]]]:
        """Rows for the page: each answer (none for free text) with its count under each
        unit, then how many conversations answered."""
        rows = [
            (v.label, [v.counts.get(u, 0) for u in unit_ids])
            for v in self.values
            if self.question.charted
        ]
        return [*rows, ("Answered", [self.answered.get(u, 0) for u in unit_ids])]


def script_questions(script_id: int) -> tuple[list[int], list[content_selectors.Question]]:
    """The versions of a script canvassers were shown, and the questions they asked: the
    newest version's, then any an older one asked that it dropped (their answers still
    count)."""
    shown = content_selectors.script_versions_shown(script_id)
    merged: dict[str, content_selectors.Question] = {}
    for version in shown:  # newest first
        for question in version.questions:
            merged.setdefault(question.key, question)
    return [v.pk for v in shown], list(merged.values())


def answer_counts(
    *, script_id: int, unit_ids: list[int], since: dt.date, until: dt.date
) -> list[QuestionCounts]:
    """Each question of a script with its answers counted under each of ``unit_ids``,
    rolled up the org tree as the other counts are (see ``rolled_up_days``)."""
    versions, questions = script_questions(script_id)
    if not versions:
        return []
    # One row per option chosen, and each answer has one row at position 0: counting those
    # counts the conversations that answered, in the same query.
    rows = (
        _counted_answers("", since, until)
        .filter(script_version_id__in=versions)
        .values_list("result__org_unit_id", "question", "option", "number")
        .annotate(n=Count("pk"), answered=Count("pk", filter=Q(position=0)))
    )
    paths = {unit_id: info[0] for unit_id, info in organizing.org_unit_paths().items()}
    ancestors = _ancestor_ids(paths)
    wanted = set(unit_ids)
    values: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    answered: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for unit_id, question, option, number, n, first in rows:
        value = option if number is None else str(number)
        for above in ancestors.get(unit_id, [unit_id]):
            if above in wanted:
                values[(question, value)][above] += n
                answered[question][above] += first
    return [
        QuestionCounts(
            question=question,
            values=[
                ValueCount(value, label, dict(values.get((question.key, value), {})))
                for value, label in question.values()
            ],
            answered=dict(answered.get(question.key, {})),
        )
        for question in questions
    ]


def volunteers_out(*, path: str, since: dt.date, until: dt.date) -> int:
    """Distinct volunteers with a result under a unit in the window (not a sum of days)."""
    return int(
        CanvassResult.objects.filter(
            org_unit__path__startswith=path,
            recorded_at__date__gte=since,
            recorded_at__date__lte=until,
        )
        .exclude(review=CanvassResult.Review.REJECTED)
        .aggregate(n=Count(Concat("walk_list_id", "canvasser_name"), distinct=True))["n"]
    )


@dataclass(frozen=True)
class GoalProgress:
    goal: ContactGoal
    done: int
    expected: float  # where a steady pace would be today
    needed_per_day: float | None  # to finish on time from here
    recent_per_day: float
    projected_finish: dt.date | None  # None: at the recent pace, never
    series: list[tuple[dt.date, int, float]] = field(default_factory=list)  # day, done, target

    @property
    def share(self) -> float:
        return self.done / self.goal.target if self.goal.target else 1.0

    @property
    def on_track(self) -> bool:
        return self.done >= ON_TRACK * self.expected

    @property
    def late(self) -> bool:
        return self.projected_finish is None or self.projected_finish > self.goal.due_on


def goal_progress(
    goal: ContactGoal, rolled: dict[tuple[int, dt.date], Day], today: dt.date
) -> GoalProgress:
    """How far a goal is, against a steady pace from its start to its due date, and when it
    would be met if the last week's pace held."""
    measure = "doors" if goal.measure == ContactGoal.Measure.DOORS else "conversations"
    span = max((goal.due_on - goal.starts_on).days + 1, 1)
    last = min(today, goal.due_on)
    done = 0
    series = []
    for i, day_ in enumerate(dates(goal.starts_on, last)):
        done += getattr(rolled.get((goal.org_unit_id, day_), Day()), measure)
        series.append((day_, done, goal.target * (i + 1) / span))
    elapsed = max(min((today - goal.starts_on).days + 1, span), 0)
    recent_days = dates(max(goal.starts_on, today - dt.timedelta(days=RECENT_DAYS - 1)), today)
    recent = sum(getattr(rolled.get((goal.org_unit_id, d), Day()), measure) for d in recent_days)
    recent_per_day = recent / len(recent_days) if recent_days else 0.0
    remaining = max(goal.target - done, 0)
    days_left = (goal.due_on - today).days
    if remaining == 0:
        finish: dt.date | None = today
    elif recent_per_day > 0:
        finish = today + dt.timedelta(days=-(-remaining // recent_per_day))
    else:
        finish = None
    return GoalProgress(
        goal=goal,
        done=done,
        expected=goal.target * elapsed / span,
        needed_per_day=remaining / days_left if days_left > 0 else None,
        recent_per_day=round(recent_per_day, 1),
        projected_finish=finish,
        series=series,
    )


def goals_for(unit_ids: Iterable[int]) -> list[ContactGoal]:
    return list(
        ContactGoal.objects.filter(org_unit_id__in=list(unit_ids))
        .select_related("org_unit")
        .order_by("due_on", "org_unit__path")
    )
