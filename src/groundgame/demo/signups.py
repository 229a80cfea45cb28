"""The demo campaign's volunteer sign-ups: a form for every state and one for the biggest
team of each, and the last three days of sign-ups through them.

Each sign-up is taken as the public form takes it (``signup_submit``, with the moment it came
as ``now``) and finished as the worker finishes a batch (``signup_pending_process``, an hour's
sign-ups at a time), so identity resolution places each newcomer in the team covering their
ZIP code, opens their follow-up and queues their confirmation email. Sign-ups come mostly in
the evening, and a rally that ended within the hour brought a surge that the intake page shows
minute by minute; the last three are left for the demo's worker to finish. State directors have
called most of those who signed up more than a day ago (``follow_up_attempt_record``, an hour
or more after the sign-up: most reached, some messages left with a call-back two days on, a
few wrong numbers and refusals), fewer of the recent ones, so the queue holds the newest,
oldest first, and the call-backs come due. Nobody in it is real; the same seed
gives the same sign-ups.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from groundgame.demo import voters
from groundgame.demo.reference import SWING_STATES
from groundgame.organizing import selectors as organizing
from groundgame.volunteers import selectors as volunteers_selectors
from groundgame.volunteers import services

DAYS = 3
# Sign-ups per scale: a few days of an ordinary week, then the rally's hour.
COUNTS = {"tiny": 36, "small": 110, "state": 240}
SURGE_SHARE = 0.3  # of all sign-ups, in the 45 minutes since the rally ended
SURGE_MINUTES = 45
LEFT_FOR_THE_WORKER = 3  # the newest sign-ups are still pending when the seed ends
# Of the sign-ups older than a day, and of the others, the share an organizer has called.
CONTACTED_OLD, CONTACTED_RECENT = 0.75, 0.25
# The evening hours people sign up in, by weight (hour of the day in UTC, mostly US evenings).
HOUR_WEIGHTS = {h: (3 if h >= 22 or h <= 3 else 1) for h in range(24)}
SOURCES = {"web": 5, "instagram": 3, "email:weekly-news": 2, "friend": 2, "rally-qr": 1}

STATE_QUESTIONS: list[dict[str, object]] = [
    {
        "key": "availability",
        "label": "When can you help?",
        "kind": "choice",
        "choices": ["Weekday evenings", "Weekends", "Both", "Not sure yet"],
        "required": True,
    },
    {
        "key": "activity",
        "label": "What would you most like to do?",
        "kind": "choice",
        "choices": ["Knock doors", "Make calls", "Send texts", "Host an event", "Drive voters"],
    },
    {"key": "spanish", "label": "Can you talk with voters in Spanish?", "kind": "yesno"},
]
TEAM_QUESTIONS: list[dict[str, object]] = [
    {
        "key": "saturday",
        "label": "Which Saturday can you knock doors with us?",
        "kind": "choice",
        "choices": ["This Saturday", "Next Saturday", "Both", "Another day"],
        "required": True,
    },
    {"key": "car", "label": "Can you drive other volunteers to the turf?", "kind": "yesno"},
]
# What a director's calls come to, and the note they leave with each.
CALL_OUTCOMES = (
    ("reached", 0.6, ("Talked: wants to phone bank from home.", "Called; will bring a friend.")),
    ("left_message", 0.25, ("Left a voicemail, then texted.", "No answer; voicemail full.")),
    ("wrong_number", 0.05, ("The number is a pharmacy.",)),
    ("not_interested", 0.1, ("Signed up at the rally for a friend; not for now.",)),
)


@dataclass(frozen=True)
class StateDesk:
    """A state's unit, its director (who runs its forms and calls its volunteers) and its
    biggest team with the counties that team covers."""

    state: str
    name: str
    unit_id: int
    director: User
    team_id: int
    team_counties: frozenset[str]


@dataclass
class Intake:
    forms: int = 0
    signups: int = 0
    contacted: int = 0
    # Who signed up in each state: their fields, for the events they then RSVP to.
    by_state: dict[str, list[dict[str, str]]] = field(default_factory=dict)


def intake_create(
    *,
    seed: int,
    scale: str,
    desks: Sequence[StateDesk],
    admin: User,
    now: dt.datetime | None = None,
) -> Intake:
    now = now or timezone.now()
    rng = random.Random(f"signups-{seed}")
    intake = Intake()
    state_forms, team_forms = _forms(desks, admin, intake)
    county_of = {z.zip5: fips for fips, zips in voters.county_zips().items() for z in zips}
    by_desk = {d.state: d for d in desks}
    people = voters.newcomers(count=COUNTS[scale], seed=seed)
    moments = sorted(_moments(rng, len(people), now))
    pending_after = moments[-LEFT_FOR_THE_WORKER]
    batches: dict[dt.datetime, list[tuple[dt.datetime, dict[str, str], Any]]] = defaultdict(list)
    sources, weights = list(SOURCES), list(SOURCES.values())
    for at, fields in zip(moments, people, strict=True):
        county = county_of[fields["zip5"]]
        desk = by_desk[SWING_STATES[county[:2]]]
        form = state_forms[desk.state]
        # The team's form asks for a phone number, to text about the turf.
        if county in desk.team_counties and fields["phone"] and rng.random() < 0.5:
            form = team_forms[desk.state]
        # The worker finishes an hour's sign-ups a few seconds after the last of them; the
        # newest few are left for the demo's worker, as a batch of their own.
        hour = at.replace(minute=0, second=0, microsecond=0)
        batch = pending_after if at >= pending_after else hour
        batches[batch].append((at, fields, form))
        intake.by_state.setdefault(desk.state, []).append(fields)
    for number, batch in enumerate(sorted(batches)):
        with transaction.atomic():
            for at, fields, form in batches[batch]:
                services.signup_submit(
                    form=form,
                    idempotency_key=f"demo-{seed}-{number}-{intake.signups}",
                    fields=fields,
                    answers=_answers(rng, form.questions),
                    consents=[t for t in form.consent_topics if rng.random() < 0.8],
                    source=rng.choices(sources, weights)[0],
                    now=at,
                )
                intake.signups += 1
        last = max(at for at, _, _ in batches[batch])
        if last < pending_after:
            services.signup_pending_process(now=last + dt.timedelta(seconds=5))
    intake.contacted = _calls(rng, desks, now)
    return intake


def _forms(
    desks: Sequence[StateDesk], admin: User, intake: Intake
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each state's form and its biggest team's, published (by state); and a national draft."""
    state_forms: dict[str, Any] = {}
    team_forms: dict[str, Any] = {}
    with transaction.atomic():
        for desk in desks:
            unit = organizing.org_unit_get(desk.unit_id)
            team = organizing.org_unit_get(desk.team_id)
            if unit is None or team is None:
                raise RuntimeError(f"the units of {desk.name} vanished while seeding")
            state_form = services.signup_form_create(
                actor=desk.director,
                title=f"Volunteer in {desk.name}",
                slug=f"volunteer-{desk.state.lower()}",
                org_unit=unit,
                intro=(
                    f"Knock doors, make calls and talk with your neighbours in {desk.name}. "
                    "An organizer near you will call within a day."
                ),
                fields={"phone": "optional", "zip5": "required", "street": "off"},
                questions=STATE_QUESTIONS,
                consent_topics=["volunteering", "events", "voting_info"],
                thank_you="Early voting starts soon: we will help you make your plan to vote.",
            )
            team_name = team.name.removesuffix(" team")
            team_form = services.signup_form_create(
                actor=desk.director,
                title=f"Knock doors with the {team.name}",
                slug=f"canvass-{slugify(team_name)}-{desk.state.lower()}",
                org_unit=team,
                intro=f"Saturday canvasses leave from our {team_name} office at 10 am.",
                fields={"phone": "required", "zip5": "required", "street": "off"},
                questions=TEAM_QUESTIONS,
                consent_topics=["volunteering", "events"],
            )
            state_forms[desk.state], team_forms[desk.state] = (
                services.signup_form_publish(actor=desk.director, form_id=form.pk)
                for form in (state_form, team_form)
            )
            intake.forms += 2
        root = organizing.org_unit_root()
        if root is not None:
            services.signup_form_create(
                actor=admin,
                title="Early vote weekend: drive voters to the polls",
                slug="early-vote-drivers",
                org_unit=root,
                intro="Drafted for the first weekend of early voting.",
                questions=[
                    {"key": "seats", "label": "How many seats in your car?", "kind": "text"}
                ],
                consent_topics=["volunteering", "voting_info"],
            )
            intake.forms += 1
    return state_forms, team_forms


def _moments(rng: random.Random, count: int, now: dt.datetime) -> list[dt.datetime]:
    """When each sign-up came: evenings of the last few days, and the rally's surge."""
    surge = round(count * SURGE_SHARE)
    out = [now - dt.timedelta(minutes=SURGE_MINUTES * rng.random()) for _ in range(surge)]
    start = now - dt.timedelta(days=DAYS)
    hours = [start + dt.timedelta(hours=h) for h in range(DAYS * 24 - 1)]
    weights = [HOUR_WEIGHTS[h.hour] for h in hours]
    for hour in rng.choices(hours, weights, k=count - surge):
        out.append(hour + dt.timedelta(seconds=rng.randrange(3600)))
    return out


def _answers(rng: random.Random, questions: list[dict[str, object]]) -> dict[str, str]:
    answers = {}
    for question in questions:
        key = str(question["key"])
        if question["kind"] == "choice":
            choices = question["choices"]
            assert isinstance(choices, list)
            answers[key] = str(rng.choice(choices))
        elif question["kind"] == "yesno":
            answers[key] = "yes" if rng.random() < 0.2 else "no"
    return answers


def _call_outcome(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    draw = rng.random()
    for outcome, share, notes in CALL_OUTCOMES:
        if draw < share:
            return outcome, notes
        draw -= share
    return CALL_OUTCOMES[0][0], CALL_OUTCOMES[0][2]


def _calls(rng: random.Random, desks: Sequence[StateDesk], now: dt.datetime) -> int:
    """Directors call most of the volunteers who signed up more than a day ago."""
    called = 0
    day_ago = now - dt.timedelta(days=1)
    for desk in desks:
        scope = organizing.staff_scope(desk.director)
        waiting = list(volunteers_selectors.follow_up_queue(scope=scope, limit=10_000))
        for follow_up in waiting:
            share = CONTACTED_OLD if follow_up.created_at < day_ago else CONTACTED_RECENT
            if rng.random() < share:
                outcome, notes = _call_outcome(rng)
                # An hour or more after the sign-up, and never after the seed's present.
                at = min(follow_up.created_at + dt.timedelta(hours=rng.uniform(1, 20)), now)
                services.follow_up_attempt_record(
                    actor=desk.director,
                    follow_up_id=follow_up.pk,
                    outcome=outcome,
                    note=rng.choice(notes),
                    now=at,
                )
                called += 1
    return called
