"""Four weeks of the demo campaign's field program: turfs, walk lists, doors knocked, goals
and materials, so that the turf, reporting, review and materials pages have a story.

In each state the biggest team's voters are saved as a universe and cut into turfs of about
fifty doors, none crossing a county line (the team's small rural counties make small turfs);
most turfs are handed out as walk lists with the state's door script, and the volunteers
walk them on weekday evenings and (far more) on weekends, more as election day nears, coming
back to the doors where nobody answered. What they hear follows what voters said in 2024
(see ``ISSUE_SHARES``). Two canvassers fill in doors from a kitchen table, which the quality
rules flag, and one phone sends two results the sync refuses. Each state, the national unit
and two teams have a contact goal, some ahead of their pace and some behind; materials are
requested, ordered and delivered, and one order of yard signs is late.

Results go through ``canvass_sync`` one canvasser's session at a time, as the phones send
them: the real path, with its quality flags, rejections and do-not-contact requests. Lists
are back-dated to before the first day shown, since the sync refuses a result recorded
before its list existed. Nobody in it is real; the same seed gives the same program.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
import zoneinfo
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from groundgame.content import selectors as content_selectors
from groundgame.field import selectors as field_selectors
from groundgame.field import services as field_services
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people_services
from groundgame.volunteers import selectors as volunteers_selectors

DAYS = 28  # of canvassing, today included: the reporting page's default window
TURF_DOORS = 50
LISTED_SHARE = 0.8  # of the turfs, handed out as walk lists
# Chance that a list is walked on a day, by weekday (Monday 0): evenings in the week,
# most of the work on Saturday and Sunday. Multiplied by a ramp from RAMP[0] on the first day
# to RAMP[1] on the last, as the campaign builds toward election day.
WALKED = (0.18, 0.15, 0.18, 0.2, 0.15, 0.65, 0.45)
RAMP = (0.6, 1.4)
# A canvassing session, in hours, and the most doors one phone records in it.
SESSION_HOURS = {"weekday": (1.5, 2.5), "weekend": (2.5, 4.0)}
MAX_DOORS_PER_SESSION = 40
# Between two doors canvassers take the time the walk needs, at a speed under the quality
# rules' limit (``field.quality.MAX_SPEED_MPS``), which keeps honest doors unflagged.
WALK_SPEED_MPS = (1.3, 2.6)
MAX_ATTEMPTS = 3  # knocks on a door where nobody answered, then it is left
# Of the doors knocked: conversations vary by state (CONTACT_RATES); of the rest, these.
OTHER_OUTCOMES = {
    "refused": 0.09,
    "come_back": 0.04,
    "moved": 0.02,
    "inaccessible": 0.015,
}
CONTACT_RATES = (0.23, 0.25, 0.27, 0.28, 0.29, 0.31, 0.26)
WEEKEND_CONTACT = 0.04  # more people home on a weekend afternoon
# Support, 1 (strongly for us) to 5 (strongly against), among the people who talk: a
# persuasion universe in a swing state leans slightly our way and has many undecided.
SUPPORT_SHARES = {1: 0.24, 2: 0.19, 3: 0.25, 4: 0.15, 5: 0.17}
# How voters who talk plan to vote, once the script asks (its second version): early voting
# has started in the demo's story, and most swing-state voters voted before Election Day in
# 2024 (about 6 in 10 nationally: MIT Election Data and Science Lab, 2024 early vote).
VOTE_PLAN_SHARES = {"early": 0.38, "mail": 0.14, "election_day": 0.30, "no_plan": 0.18}
# The issues voters name: AP VoteCast 2024 (AP, November 2024; 110,000+ voters) found about 4
# in 10 named the economy and jobs the most important problem facing the country, about 2 in
# 10 immigration and about 1 in 10 abortion. The economy's share is split here between
# inflation and the cost of living, housing and jobs; the rest among the other issues.
ISSUE_SHARES = {
    "inflation": 0.30,
    "immigration": 0.20,
    "abortion": 0.11,
    "democracy": 0.10,
    "health_care": 0.08,
    "housing": 0.07,
    "jobs": 0.05,
    "other": 0.09,
}
SECOND_ISSUE = 0.45  # of those naming an issue, the share who name a second
NOTES = (
    "Asked where to vote early.",
    "Wants a yard sign.",
    "Rent went up again this year; worried about it.",
    "Son is in the military; cares about veterans' care.",
    "Will read the guide and decide.",
    "Asked for a ride to the polls.",
    "Grocery prices came up first.",
    "Wants to volunteer: call her back.",
)
NOTE_SHARE = 0.12
DOOR_REQUEST = 0.02  # of refusals: "please don't knock again"
NO_LOCATION = 0.08  # phones that share no position
GPS_JITTER_DEG = 0.00008  # about 9 m
# Seconds between doors: a conversation, a short answer, or a door nobody opens.
PACE_SECONDS = {"talked": (240, 480), "short": (60, 150), "not_home": (70, 140)}
# Volunteers who take a list after its lead canvasser, by first name as the app asks.
FALLBACK_NAMES = ("Sam", "Alex", "Jordan", "Taylor", "Priya", "Luis", "Keisha", "Dana")
# Goals: due five weeks from today, from the first day shown. A factor above 1 sets the
# target beyond the pace so far (the unit is behind), below 1 within it (ahead).
GOAL_DUE_DAYS = 35
STATE_GOAL_PACE = (0.8, 1.25, 0.9, 1.6, 0.85, 1.15, 1.0)
NATIONAL_GOAL_PACE = 1.1
TEAM_GOAL_PACE = (0.85, 1.4)
# The states (by their order) where someone fakes doors, and where a phone sends bad results.
KITCHEN_TABLE_STATES = (1, 4)
BUGGY_PHONE_STATE = 2


@dataclass(frozen=True)
class StateField:
    """Who runs a state's field program and with what."""

    state: str  # postal code
    unit_id: int
    team_id: int  # the team whose voters are cut into turfs
    director: AbstractBaseUser
    organizer: AbstractBaseUser  # the team's regional organizer
    script_id: int  # the state's door script
    guide_id: int  # the state's early vote guide (literature)
    timezone: str


@dataclass(frozen=True)
class Program:
    turfs: int
    walk_lists: int
    results: int


@dataclass
class _List:
    code: str
    canvassers: list[str]
    households: frozenset[int]
    doors: deque[int]  # households not yet knocked, in walking order
    again: deque[int] = field(default_factory=deque)  # nobody answered: knock again later
    attempts: Counter[int] = field(default_factory=Counter)


def program_create(
    *,
    seed: int,
    admin: AbstractBaseUser,
    states: list[StateField],
    national_id: int,
    now: dt.datetime | None = None,
) -> Program:
    """The four weeks of field work (see the module docstring)."""
    now = now or timezone.now()
    rng = random.Random(f"{seed}:field")
    today = timezone.localdate(now)
    first_day = today - dt.timedelta(days=DAYS - 1)
    turfs = lists = 0
    # One transaction for the four weeks: each service call would otherwise commit (and
    # flush to disk) on its own, hundreds of times, for data that is all or nothing anyway.
    with transaction.atomic():
        for number, state in enumerate(states):
            cut_turfs = _turfs(state)
            listed = _walk_lists(rng, state, cut_turfs, first_day)
            turfs += len(cut_turfs)
            lists += len(listed)
            _canvass(rng, state, listed, number, first_day, now)
        done = _done(first_day, today)
        _goals(admin, states, national_id, done, first_day, today)
        _materials(rng, states, today)
    return Program(turfs=turfs, walk_lists=lists, results=sum(d for d, _ in done.values()))


# Turfs and walk lists ----------------------------------------------------------------------


# (id, number) of a turf.
_Turf = tuple[int, int]


def _turfs(state: StateField) -> list[_Turf]:
    team = organizing_selectors.org_unit_get(state.team_id)
    if team is None:
        raise RuntimeError(f"team {state.team_id} vanished while seeding")
    universe = people_services.universe_save(
        actor=state.director,
        name=f"{team.name}: doors to knock",
        description="Every voter the team covers, for its first pass of door knocking.",
        filters={"org_unit": team.pk},
    )
    # A small file (the test scale) has teams of a few dozen doors: cut them in two or three.
    target = max(field_services.TARGET_MIN, min(TURF_DOORS, (universe.last_count or 0) // 3))
    # A team covers up to six counties, some with a handful of voters tens of kilometres
    # away: turfs that stay inside a county walk streets, not highways between counties.
    cut = field_services.turf_cut(
        actor=state.director,
        universe_id=universe.pk,
        org_unit_id=team.pk,
        target_doors=target,
        boundary="county_fips",
        name=f"{team.name}: turfs of {target}",
    )
    scope = organizing_selectors.staff_scope(state.director)
    return [(t.pk, t.number) for t in field_selectors.turf_list(scope=scope, cut_id=cut.pk)]


def _walk_lists(
    rng: random.Random, state: StateField, turfs: list[_Turf], first_day: dt.date
) -> list[_List]:
    team = organizing_selectors.org_unit_get(state.team_id)
    volunteers = volunteers_selectors.unit_volunteers(unit_path=team.path if team else "")
    # At least one turf waits to be handed out, however few there are.
    handed = max(1, min(len(turfs) - 1, round(len(turfs) * LISTED_SHARE)))
    chosen = sorted(rng.sample(turfs, handed), key=_number)
    stops = field_selectors.turf_doors([pk for pk, _ in chosen])
    handed_out = dt.datetime.combine(first_day - dt.timedelta(days=1), dt.time(18), tzinfo=dt.UTC)
    made = []
    for turf_id, _ in chosen:
        canvasser = rng.choice(volunteers) if volunteers else None
        walk_list = field_services.walk_list_create(
            actor=state.organizer,
            turf_id=turf_id,
            canvasser_id=canvasser[0] if canvasser else None,
            script_id=state.script_id,
            now=handed_out,
        )
        # The lead canvasser and the volunteers who take the list on other days.
        names = [canvasser[1].split(" ")[0]] if canvasser else []
        names += rng.sample(FALLBACK_NAMES, 3)
        doors = stops[turf_id]
        made.append(_List(walk_list.code, names, frozenset(doors), deque(doors)))
    return made


def _number(turf: _Turf) -> int:
    return turf[1]


# Doors -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Homes:
    places: dict[int, tuple[float, float] | None]
    residents: dict[int, list[int]]


def _homes(lists: list[_List]) -> _Homes:
    ids = [h for lst in lists for h in lst.doors]
    places = {
        h.pk: (h.latitude, h.longitude)
        if h.latitude is not None and h.longitude is not None
        else None
        for h in people_selectors.households_by_ids(ids)
    }
    residents: dict[int, list[int]] = {}
    for person in people_selectors.household_residents(ids):
        residents.setdefault(person.household_id or 0, []).append(person.pk)
    return _Homes(places, residents)


def _canvass(
    rng: random.Random,
    state: StateField,
    lists: list[_List],
    number: int,
    first_day: dt.date,
    now: dt.datetime,
) -> None:
    """Walk the lists day by day, each session synced when the canvasser gets back."""
    homes = _homes(lists)
    zone = zoneinfo.ZoneInfo(state.timezone)
    versions = _script_versions(state.script_id)
    contact = CONTACT_RATES[number % len(CONTACT_RATES)]
    for offset in range(DAYS):
        day = first_day + dt.timedelta(days=offset)
        weekend = day.weekday() >= 5
        ramp = RAMP[0] + (RAMP[1] - RAMP[0]) * offset / (DAYS - 1)
        for lst in lists:
            if not (lst.doors or lst.again) or rng.random() > WALKED[day.weekday()] * ramp:
                continue
            # One phone per list at a time: a pair walks together and records on one phone
            # (two phones on one list would be paced against each other's doors).
            walker = rng.choice(lst.canvassers)
            hour = rng.uniform(10, 13) if weekend else rng.uniform(16, 17.5)
            start = dt.datetime.combine(day, dt.time(), tzinfo=zone) + dt.timedelta(hours=hour)
            hours = SESSION_HOURS["weekend" if weekend else "weekday"]
            until = start + dt.timedelta(hours=rng.uniform(*hours))
            rate = contact + (WEEKEND_CONTACT if weekend else 0.0)
            batch, end = _session(rng, lst, walker, start, until, rate, homes, versions)
            synced = end + dt.timedelta(minutes=rng.uniform(5, 90))
            if batch and synced <= now:
                field_services.canvass_sync(list_code=lst.code, results=batch, now=synced)
    # Five evenings ago, two states' first lists got doors filled in from a kitchen table,
    # and one state's a phone with an old bug.
    evening = dt.datetime.combine(now.date() - dt.timedelta(days=5), dt.time(21), tzinfo=zone)
    odd = []
    if number in KITCHEN_TABLE_STATES:
        odd = _kitchen_table(rng, lists[0], evening, homes, versions)
    elif number == BUGGY_PHONE_STATE:
        odd = _bad_rows(rng, lists[0], evening, homes)
    if odd:
        field_services.canvass_sync(
            list_code=lists[0].code, results=odd, now=evening + dt.timedelta(hours=1)
        )


# When a version of the script was approved, its id and the keys of its questions.
_Version = tuple[dt.datetime, int, frozenset[str]]


def _script_versions(script_id: int) -> list[_Version]:
    """When each version of the script was approved, oldest first: a door knocked uses the
    version the app showed then, and answers its questions."""
    return sorted(
        (v.decided_at, v.pk, frozenset(str(q["key"]) for q in v.questions))
        for v in content_selectors.content_versions(script_id)
        if v.status in ("approved", "superseded") and v.decided_at is not None
    )


def _version_at(versions: list[_Version], at: dt.datetime) -> _Version | None:
    shown = [v for v in versions if v[0] <= at]
    return shown[-1] if shown else None


def _answers(rng: random.Random, asked: frozenset[str]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    if "issues" in asked:
        answers["issues"] = _issues(rng)
    if "vote_plan" in asked:
        answers["vote_plan"] = _pick(rng, VOTE_PLAN_SHARES)
    return answers


def _session(
    rng: random.Random,
    lst: _List,
    walker: str,
    start: dt.datetime,
    until: dt.datetime,
    contact: float,
    homes: _Homes,
    versions: list[_Version],
) -> tuple[list[dict[str, Any]], dt.datetime]:
    """One canvasser's doors until ``until``: the next ones on the list, then those where
    nobody answered, each after the walk from the one before."""
    at = start
    rows: list[dict[str, Any]] = []
    previous: tuple[float, float] | None = None
    while at < until and len(rows) < MAX_DOORS_PER_SESSION:
        queue = lst.doors or lst.again
        if not queue:
            break
        household = queue[0]
        place = homes.places.get(household)
        if previous is not None and place is not None:
            meters = field_selectors.meters_between(*previous, *place)
            at += dt.timedelta(seconds=meters / rng.uniform(*WALK_SPEED_MPS))
            if at > until:
                break  # too far for today: the next session starts there
        queue.popleft()
        previous = place or previous
        lst.attempts[household] += 1
        outcome = _outcome(rng, contact)
        if outcome in ("not_home", "come_back") and lst.attempts[household] < MAX_ATTEMPTS:
            lst.again.append(household)
        rows.append(_row(rng, household, outcome, walker, at, homes, versions))
        pace = "talked" if outcome == "talked" else "not_home" if outcome == "not_home" else "short"
        at += dt.timedelta(seconds=rng.uniform(*PACE_SECONDS[pace]))
    return rows, at


def _outcome(rng: random.Random, contact: float) -> str:
    draw = rng.random()
    if draw < contact:
        return "talked"
    draw -= contact
    for outcome, share in OTHER_OUTCOMES.items():
        if draw < share:
            return outcome
        draw -= share
    return "not_home"


def _row(
    rng: random.Random,
    household: int,
    outcome: str,
    walker: str,
    at: dt.datetime,
    homes: _Homes,
    versions: list[_Version],
) -> dict[str, Any]:
    """A result as the app sends it."""
    residents = homes.residents.get(household, [])
    talked = outcome == "talked"
    version = _version_at(versions, at)
    place = homes.places.get(household)
    located = place is not None and rng.random() > NO_LOCATION
    row: dict[str, Any] = {
        "client_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "household_id": household,
        "person_id": rng.choice(residents) if talked and residents else None,
        "outcome": outcome,
        "support": _pick(rng, SUPPORT_SHARES) if talked else None,
        "answers": _answers(rng, version[2]) if talked and version else {},
        "notes": rng.choice(NOTES) if talked and rng.random() < NOTE_SHARE else "",
        "do_not_contact": "door" if outcome == "refused" and rng.random() < DOOR_REQUEST else "",
        "recorded_at": at.isoformat(),
        "latitude": place[0] + rng.gauss(0, GPS_JITTER_DEG) if located and place else None,
        "longitude": place[1] + rng.gauss(0, GPS_JITTER_DEG) if located and place else None,
        "canvasser_name": walker,
        "script_version": version[1] if version else None,
    }
    return row


def _pick(rng: random.Random, shares: dict[Any, float]) -> Any:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _issues(rng: random.Random) -> list[str]:
    first = _pick(rng, ISSUE_SHARES)
    if rng.random() > SECOND_ISSUE:
        return [str(first)]
    rest = {k: v for k, v in ISSUE_SHARES.items() if k != first}
    return [str(first), str(_pick(rng, rest))]


def _kitchen_table(
    rng: random.Random,
    lst: _List,
    at: dt.datetime,
    homes: _Homes,
    versions: list[_Version],
) -> list[dict[str, Any]]:
    """A dozen "conversations" entered seconds apart from one spot across town: what the
    quality rules flag (too fast, far from the door) for a person to review."""
    rows = []
    households = sorted(lst.households)[:12]
    spot = next((homes.places[h] for h in households if homes.places.get(h)), None)
    for household in households:
        row = _row(rng, household, "talked", "Chris", at, homes, versions)
        if spot is not None:
            row["latitude"], row["longitude"] = spot[0] + 0.02, spot[1] + 0.02
        rows.append(row)
        at += dt.timedelta(seconds=rng.uniform(6, 15))
    return rows


def _bad_rows(
    rng: random.Random, lst: _List, at: dt.datetime, homes: _Homes
) -> list[dict[str, Any]]:
    """Results an old version of the app got wrong: a survey answer on a door nobody opened,
    and a door of another turf. The sync refuses them and keeps them for review."""
    first = min(lst.households)
    survey = _row(rng, first, "not_home", "Dana", at, homes, [])
    rows = [{**survey, "support": 2}]
    elsewhere = next((h for h in homes.places if h not in lst.households), None)
    if elsewhere is not None:
        stray = _row(rng, elsewhere, "not_home", "Dana", at + dt.timedelta(minutes=2), homes, [])
        rows.append(stray)
    return rows


# Goals and materials -----------------------------------------------------------------------


def _done(first_day: dt.date, today: dt.date) -> dict[int, tuple[int, int]]:
    """Doors and conversations so far per team (a list's team is where its results count)."""
    done: dict[int, tuple[int, int]] = {}
    # A day either side: the days are the site's, the doors knocked in each state's own.
    since, until = first_day - dt.timedelta(days=1), today + dt.timedelta(days=1)
    for row in field_selectors.canvass_daily_counts(since=since, until=until):
        doors, talked = done.get(row.org_unit_id, (0, 0))
        done[row.org_unit_id] = (doors + row.doors, talked + row.conversations)
    return done


def _target(done: int, share_of_time: float, pace: float) -> int:
    """A target that ``done`` meets ``pace`` times over at a steady pace, in round numbers
    (fifties, tens or fives, by its size)."""
    wanted = done / share_of_time * pace if share_of_time else float(done)
    unit = 50 if wanted >= 1000 else 10 if wanted >= 100 else 5
    return max(unit, round(wanted / unit) * unit)


def _goals(
    admin: AbstractBaseUser,
    states: list[StateField],
    national_id: int,
    done: dict[int, tuple[int, int]],
    first_day: dt.date,
    today: dt.date,
) -> None:
    due = today + dt.timedelta(days=GOAL_DUE_DAYS)
    share_of_time = ((today - first_day).days + 1) / ((due - first_day).days + 1)
    for number, state in enumerate(states):
        talked = done.get(state.team_id, (0, 0))[1]
        field_services.contact_goal_set(
            actor=state.director,
            org_unit_id=state.unit_id,
            measure="conversations",
            target=_target(talked, share_of_time, STATE_GOAL_PACE[number % len(STATE_GOAL_PACE)]),
            starts_on=first_day,
            due_on=due,
        )
    for state, pace in zip(states, TEAM_GOAL_PACE, strict=False):
        field_services.contact_goal_set(
            actor=state.director,
            org_unit_id=state.team_id,
            measure="doors",
            target=_target(done.get(state.team_id, (0, 0))[0], share_of_time, pace),
            starts_on=first_day,
            due_on=due,
        )
    field_services.contact_goal_set(
        actor=admin,
        org_unit_id=national_id,
        measure="conversations",
        target=_target(sum(t for _, t in done.values()), share_of_time, NATIONAL_GOAL_PACE),
        starts_on=first_day,
        due_on=due,
    )


@dataclass(frozen=True)
class _Order:
    """A request for materials and how far it got: ordered and delivered this many days ago
    (None: not yet)."""

    kind: str
    for_team: bool
    needed: int
    needed_in_days: int
    lead_time_days: int
    ordered_days_ago: int | None = None
    delivered_days_ago: int | None = None


# Every state prints its guide and orders yard signs; some add door hangers or clipboards.
# One state's yard signs were requested but never ordered, and their order-by date has
# passed: they will arrive after they are needed (2024's signs were printed in late October).
ORDERS = (
    _Order("literature", True, 3000, 12, 7, 9, 3),
    _Order("yard_signs", False, 2500, 21, 14, 6),
)
SOME_ORDERS = (
    _Order("door_hangers", True, 1500, 30, 10),
    _Order("clipboards", True, 40, 5, 3, 4, 1),
)
LATE = _Order("yard_signs", True, 800, 8, 14)
LATE_STATE = "MI"


def _materials(rng: random.Random, states: list[StateField], today: dt.date) -> None:
    for number, state in enumerate(states):
        orders = [*ORDERS, SOME_ORDERS[number % len(SOME_ORDERS)]]
        if state.state == LATE_STATE:
            orders.append(LATE)
        for order in orders:
            # Quantities vary by state, in round hundreds (tens for a few clipboards).
            unit = 100 if order.needed >= 500 else 10
            needed = max(unit, round(order.needed * rng.uniform(0.6, 1.5) / unit) * unit)
            request = field_services.material_request_create(
                actor=state.organizer if order.for_team else state.director,
                org_unit_id=state.team_id if order.for_team else state.unit_id,
                kind=order.kind,
                quantity_needed=needed,
                needed_by=today + dt.timedelta(days=order.needed_in_days),
                lead_time_days=order.lead_time_days,
                item_id=state.guide_id if order.kind == "literature" else None,
            )
            if order.ordered_days_ago is None:
                continue
            field_services.material_order(
                actor=state.director,
                request_id=request.pk,
                quantity=needed,
                on=today - dt.timedelta(days=order.ordered_days_ago),
            )
            if order.delivered_days_ago is None:
                continue
            field_services.material_deliver(
                actor=state.organizer,
                request_id=request.pk,
                # A printer now and then delivers a box short.
                quantity=needed - (unit if rng.random() < 0.3 else 0),
                on=today - dt.timedelta(days=order.delivered_days_ago),
            )
