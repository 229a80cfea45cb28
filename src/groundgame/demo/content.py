"""The demo campaign's library: scripts, literature and talking points for every state, six
weeks into the campaign.

The national admin delegated approval to each state director for 60 days, so nothing waits
on the chair; the directors decided most versions, each at their own pace (one to thirty
hours); a few versions wait in the queue, two of them past the time limit, and one was sent
back with a note. Each state's door script asks the campaign's issues at the door, and its
second version the voter's plan to vote as well.

Everything goes through the services with the past moment passed as ``now``, so the queue,
the latency per approver and the audit log read as they would after those six weeks. Nobody
in it is real; the same seed gives the same library.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from groundgame.content import selectors as content_selectors
from groundgame.content import services

DELEGATED_DAYS_AGO = 40
DELEGATION_DAYS = 60
# A director's typical wait between a submission and their decision, in hours; each decision
# varies around it (log-normally: most are quick, a few wait a day), within 1 to 30 hours.
DIRECTOR_PACE_HOURS = (2.0, 3.5, 5.0, 7.0, 9.0, 12.0, 16.0)
LATENCY_SPREAD = 0.6
LATENCY_HOURS = (1.0, 30.0)

SCRIPT, LITERATURE, TALKING_POINTS = "script", "literature", "talking_points"

# The second version of each door script adds the vote plan to the campaign's issues, which
# every new script asks (the support score is the canvass app's own).
VOTE_PLAN: dict[str, object] = {
    "key": "vote_plan",
    "kind": "choice",
    "prompt": "Do you know when and where you will vote?",
    "required": False,
    "options": [
        {"key": "early", "label": "Early, in person"},
        {"key": "mail", "label": "By mail"},
        {"key": "election_day", "label": "On Election Day"},
        {"key": "no_plan", "label": "Not sure yet"},
    ],
}

SCRIPT_V1 = """Hi, my name is [NAME] and I'm a volunteer with the campaign here in {state}.
Is [VOTER] home?

We're talking with neighbours about what matters most to them this year.
ASK: On a scale of 1 to 5, how likely are you to support us?
ASK: What issues matter most to you and your family right now?

LISTEN first. If they name prices, rent or groceries, use the cost of living talking points.
If they name the border, use the border talking points. Do not argue; thank them.

Thank you for your time. Can I leave you this guide?"""

SCRIPT_V2 = (
    SCRIPT_V1
    + """

NEW: Early voting has started in {state}.
ASK: Do you know when and where you will vote? Offer the early vote guide and help them
make a plan: which day, what time, how they will get there."""
)

GUIDE = """Your vote in {state}: a plan in three steps.
1. Check your registration online or at your county elections office.
2. Choose your day: early voting, a mail ballot, or Election Day.
3. Bring what you need and bring a friend.
Questions? Call the voter hotline. Paid for by the campaign."""

COST_OF_LIVING = """Voters tell us prices are their first worry: groceries, rent, gas.
- Acknowledge it: prices rose faster than paychecks in {state} for two years.
- Our plan: lower costs for families (housing supply, prescription prices, child care).
- Be specific and local; name a grocery store or rent figure people recognize.
- Never say the economy is great: say what we will do about what they pay."""

COST_OF_LIVING_V2 = (
    COST_OF_LIVING
    + """
- New: the housing numbers for {state} from the state housing finance agency."""
)

BORDER = """Many voters raise the border. Listen first.
- Agree that the system is broken and that people want it fixed.
- Our position: more agents and judges, and a path that is orderly and fair.
- Do not debate numbers at the door; offer to send the plan by email."""

BORDER_V2 = (
    BORDER
    + """
- Crossings fell by half this year: say it with the figure and where it comes from."""
)

FLYER = """Canvass launch: {region}
Join your neighbours this Saturday at 10 am. Training, clipboards and coffee provided.
No experience needed: we pair every new volunteer with someone who has done it before."""


@dataclass(frozen=True)
class StateDesk:
    """Who writes and who approves a state's content."""

    state: str  # postal code
    name: str
    unit_id: int
    director: AbstractBaseUser  # approves for the state, by delegation
    writer: AbstractBaseUser  # drafts the state's items
    region_id: int  # a region of the state, whose organizer drafts its flyer
    region_name: str
    organizer: AbstractBaseUser


@dataclass(frozen=True)
class Plan:
    """One item: its key, kind, title and the versions written (days before today that each
    was submitted, and its text)."""

    key: str
    kind: str
    title: str
    versions: tuple[tuple[float, str], ...]
    vote_plan: bool = False
    regional: bool = False


PLANS = (
    Plan("script", SCRIPT, "{state} door script", ((38, SCRIPT_V1), (12, SCRIPT_V2)), True),
    Plan("guide", LITERATURE, "{state} early vote guide", ((36, GUIDE),)),
    Plan(
        "cost",
        TALKING_POINTS,
        "Cost of living: talking points for {state}",
        ((33, COST_OF_LIVING), (4, COST_OF_LIVING_V2)),
    ),
    Plan("border", TALKING_POINTS, "The border: talking points for {state}", ((20, BORDER),)),
    Plan("flyer", LITERATURE, "{region} canvass launch flyer", ((15, FLYER),), regional=True),
)

# What the queue holds when the demo opens: the last version of these items waits, submitted
# this many hours ago (with a 24-hour limit, the first two are overdue).
WAITING = {
    ("AZ", "border"): 31.0,
    ("PA", "flyer"): 28.0,
    ("NC", "cost"): 16.0,
    ("WI", "flyer"): 9.0,
    ("NV", "flyer"): 3.0,
}
# And one second version sent back, with what to change.
SENT_BACK = {
    ("GA", "border"): (
        3.0,
        BORDER_V2,
        "Cut the line about crossings falling by half unless we can cite the source on the "
        "page; the state figure is different. Resubmit with the CBP monthly number.",
    ),
}


@dataclass(frozen=True)
class Library:
    scripts: dict[int, int]  # state unit id -> its door script's item id
    guides: dict[int, int]  # state unit id -> its early vote guide's item id
    items: int
    approved: int
    waiting: int


def library_create(
    *,
    seed: int,
    admin: AbstractBaseUser,
    desks: list[StateDesk],
    now: dt.datetime | None = None,
) -> Library:
    """The scripts, literature and talking points with their approvals (see the module
    docstring)."""
    now = now or timezone.now()
    rng = random.Random(f"{seed}:content")
    granted = now - dt.timedelta(days=DELEGATED_DAYS_AGO)
    scripts: dict[int, int] = {}
    guides: dict[int, int] = {}
    items = approved = waiting = 0
    paces = rng.sample(DIRECTOR_PACE_HOURS, len(DIRECTOR_PACE_HOURS))
    # One transaction: each service call would otherwise commit (and flush to disk) alone.
    with transaction.atomic():
        for number, desk in enumerate(desks):
            services.approval_delegate(
                actor=admin,
                org_unit_id=desk.unit_id,
                approver=desk.director,
                expires_at=granted + dt.timedelta(days=DELEGATION_DAYS),
                now=granted,
            )
            pace = paces[number % len(paces)]
            for plan in PLANS:
                item_id, decided = _item_with_versions(rng, desk, plan, pace, now)
                items += 1
                approved += decided
                waiting += (desk.state, plan.key) in WAITING
                if plan.key == "script":
                    scripts[desk.unit_id] = item_id
                elif plan.key == "guide":
                    guides[desk.unit_id] = item_id
    return Library(scripts, guides, items, approved, waiting)


def _item_with_versions(
    rng: random.Random,
    desk: StateDesk,
    plan: Plan,
    pace: float,
    now: dt.datetime,
) -> tuple[int, int]:
    """The item with its versions submitted and decided; returns its id and how many
    versions were approved."""
    author = desk.organizer if plan.regional else desk.writer
    words = {"state": desk.name, "region": desk.region_name}
    versions = list(plan.versions)
    sent_back = SENT_BACK.get((desk.state, plan.key))
    if sent_back is not None:
        versions.append(sent_back[:2])
    waited = WAITING.get((desk.state, plan.key))
    if waited is not None:
        # The newest version is the one waiting: submitted ``waited`` hours ago.
        versions[-1] = (waited / 24, versions[-1][1])
    item = services.content_item_create(
        actor=author,
        kind=plan.kind,
        title=plan.title.format(**words),
        org_unit_id=desk.region_id if plan.regional else desk.unit_id,
        body=versions[0][1].format(**words),
    )
    decided = 0
    for number, (days_ago, body) in enumerate(versions, start=1):
        if number == 1:
            # The item was written with its first version, its only one so far.
            (version,) = content_selectors.content_versions(item.pk)
        else:
            # The script's later versions ask the vote plan too (a new version starts from
            # the one before: the issues question carries over).
            asked = [*version.questions, VOTE_PLAN] if plan.vote_plan else None
            version = services.content_version_draft(
                actor=author, item_id=item.pk, body=body.format(**words), questions=asked
            )
        submitted = now - dt.timedelta(days=days_ago)
        services.content_version_submit(actor=author, version_id=version.pk, now=submitted)
        last = number == len(versions)
        if last and waited is not None:
            continue
        decision_at = min(submitted + _latency(rng, pace), now - dt.timedelta(minutes=5))
        if last and sent_back is not None:
            services.content_version_decide(
                actor=desk.director,
                version_id=version.pk,
                approve=False,
                note=sent_back[2],
                now=decision_at,
            )
            continue
        services.content_version_decide(
            actor=desk.director, version_id=version.pk, approve=True, now=decision_at
        )
        decided += 1
    return item.pk, decided


def _latency(rng: random.Random, pace_hours: float) -> dt.timedelta:
    hours = pace_hours * math.exp(rng.gauss(0.0, LATENCY_SPREAD))
    low, high = LATENCY_HOURS
    return dt.timedelta(hours=min(max(hours, low), high))
