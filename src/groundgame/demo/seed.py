"""The synthetic campaign of ``groundgame demo`` and ``groundgame seed``.

A national unit, the seven swing states, two to four regions in each (bands of counties from
west to east) and turf teams under each region (bands of the region's counties from north to
south), each team covering real counties; staff with roles in those units; a voter file whose
counties, turnout and party lean follow the real returns (see ``voters``), and a few
volunteers on every team; donors from the rest of the country, and ten weeks of email and
text history with the subscriptions and churn that list health reads (see ``messaging``); a
library of scripts, literature and talking points approved by the state directors
(``content``); sign-up forms and the last three days of sign-ups through them, with the
follow-up queue they fill (``signups``); past and coming events with shifts, RSVPs and who came
(``events``); and four weeks of door knocking with turfs, walk lists, goals and materials
(``field``). Nobody in it is real.

The same ``seed`` gives the same campaign. The one secret is the demo admin's password:
random on every first seed, kept in ``$GROUNDGAME_HOME/demo-login.json`` (readable by its
owner only) so that ``groundgame demo`` can show it again.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.contrib.auth.models import User
from django.db import transaction

from groundgame.audit import selectors as audit_selectors
from groundgame.audit import services as audit
from groundgame.core.env import home_dir
from groundgame.demo import (
    appeals,
    content,
    events,
    field,
    insights,
    measurement,
    messaging,
    money,
    polls,
    signups,
    spending,
    voters,
)
from groundgame.health import services as health
from groundgame.organizing import selectors as organizing
from groundgame.organizing import services as organizing_services
from groundgame.people import selectors as people_selectors
from groundgame.runtime import CliError
from groundgame.volunteers import selectors as volunteers_selectors
from groundgame.volunteers import services as volunteers

SEED_COMPLETE = "seed.complete"

Progress = Callable[[str, int, int], None]

# Voters per scale. "tiny" keeps the test suite fast; the command line offers the others.
SCALES = {"tiny": 3_000, "small": 20_000, "state": 1_000_000}
# Donors from outside the swing states, per voter on the file: a national list is not only
# the voters of the states the field program works.
DONORS_PER_VOTER = 0.25
STATES = {
    "AZ": "Arizona",
    "GA": "Georgia",
    "MI": "Michigan",
    "NV": "Nevada",
    "NC": "North Carolina",
    "PA": "Pennsylvania",
    "WI": "Wisconsin",
}
# Where each state's canvassers knock: the time of the doors they record.
STATE_TIMEZONES = {
    "AZ": "America/Phoenix",
    "GA": "America/New_York",
    "MI": "America/Detroit",
    "NV": "America/Los_Angeles",
    "NC": "America/New_York",
    "PA": "America/New_York",
    "WI": "America/Chicago",
}
DEMO_USERNAME = "demo"
_BANDS = {
    2: ("West", "East"),
    3: ("West", "Central", "East"),
    4: ("West", "West Central", "East Central", "East"),
}
_COUNTIES_PER_TEAM = 6
_T = TypeVar("_T")


@dataclass(frozen=True)
class SeedReport:
    voters: int
    people: int
    households: int
    donors: int
    volunteers: int
    staff: int
    units: int
    seconds: float


def campaign_is_seeded() -> bool:
    """True once the database holds a campaign: seeded here, or built by its own staff.

    A seed stopped half way (units there, the voter file not finished) is refused with a
    message, rather than taken for a campaign or seeded on top of.
    """
    if organizing.org_unit_root() is None:
        return False
    started = audit_selectors.audit_event_list(
        audit_selectors.AuditFilter(action="voter_file.bulk_load")
    ).exists()
    finished = audit_selectors.audit_event_list(
        audit_selectors.AuditFilter(action=SEED_COMPLETE)
    ).exists()
    if started and not finished:
        raise CliError(
            f"a previous seed of {home_dir()} stopped before it finished; "
            "delete that directory (or the database) and run again"
        )
    return True


def demo_login_path() -> Path:
    return home_dir() / "demo-login.json"


def demo_login() -> tuple[str, str]:
    """The demo admin's username and password, as saved by the seed."""
    path = demo_login_path()
    try:
        saved = json.loads(path.read_text())
        return str(saved["username"]), str(saved["password"])
    except (OSError, ValueError, KeyError):
        raise CliError(
            f"no demo login in {path} (the campaign was seeded elsewhere); "
            "create an account with 'groundgame createstaff'"
        ) from None


def seed_campaign(
    *, scale: str = "small", seed: int = 2024, progress: Progress | None = None
) -> SeedReport:
    """Seed the synthetic campaign into an empty database; does nothing if one is there."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    started = time.monotonic()
    if campaign_is_seeded():
        return SeedReport(0, 0, 0, 0, 0, 0, 0, 0.0)
    report = progress or (lambda stage, done, total: None)

    # The hierarchy and staff commit together: a campaign is seeded once it has units.
    with transaction.atomic():
        tree = _hierarchy(report)
        users = _staff(tree.grants, report)
    voter_file = voters.voter_file_load(
        voters=SCALES[scale],
        seed=seed,
        team_by_county={fips: team for team, counties in tree.teams for fips in counties},
        progress=report,
    )
    roles = [(p, t, "leader" if leader else "volunteer") for p, t, leader in voter_file.volunteers]
    volunteers.membership_bulk_create(actor=None, memberships=roles, source="synthetic campaign")
    report("volunteers", len(roles), len(roles))
    library = content.library_create(
        seed=seed, admin=users[DEMO_USERNAME], desks=[_desk(s, users) for s in tree.states]
    )
    report("content", library.items, library.items)
    teams = dict(tree.teams)
    # Sign-ups and RSVPs bring newcomers: people, and volunteers on their teams.
    people_before = people_selectors.person_count()
    members_before = volunteers_selectors.membership_count()
    # Each in one transaction: a commit waits for the disk, and there would be hundreds.
    with transaction.atomic():
        intake = signups.intake_create(
            seed=seed,
            scale=scale,
            admin=users[DEMO_USERNAME],
            desks=[_intake_desk(s, users, teams[s.team_id]) for s in tree.states],
        )
    report("sign-ups", intake.signups, intake.signups)
    with transaction.atomic():
        calendar = events.calendar_create(
            seed=seed,
            offices=[_office(s, users, teams[s.team_id]) for s in tree.states],
            newcomers=intake.by_state,
        )
    report("events", calendar.events, calendar.events)
    newcomers = people_selectors.person_count() - people_before
    new_members = volunteers_selectors.membership_count() - members_before
    # The messaging history is ten weeks long whatever the scale: at the state scale it
    # would be millions of sends, so that scale gets none. Nor does it get the field
    # program's four weeks: its teams are cities, each cut into hundreds of turfs.
    donors: list[int] = []
    if scale != "state":
        donors = voters.donors_load(count=round(SCALES[scale] * DONORS_PER_VOTER), seed=seed)
        history = messaging.history_create(seed=seed, donor_ids=donors)
        report("mailings", history.mailings, history.mailings)
        program = field.program_create(
            seed=seed,
            admin=users[DEMO_USERNAME],
            states=[_state_field(s, users, library) for s in tree.states],
            national_id=tree.national_id,
        )
        report("doors knocked", program.results, program.results)
        # A quarter of gifts, few enough that the first start stays quick: each goes
        # through identity resolution, as the webhook's do, which may make a newcomer.
        before_gifts = people_selectors.person_count()
        fundraising = money.fundraising_create(
            seed=seed,
            donor_ids=donors,
            volunteer_ids=[p for p, _, _ in voter_file.volunteers],
            gifts=min(300, len(donors) // 4),
        )
        newcomers += people_selectors.person_count() - before_gifts
        report("donations", fundraising.gifts, fundraising.gifts)
        with transaction.atomic():
            tested = insights.measurement_create(
                seed=seed, state_units={s.state: s.unit_id for s in tree.states}
            )
        report("message test outcomes", tested.outcomes, tested.outcomes)
        made = appeals.appeals_create(national_id=tree.national_id)
        report("appeals", made, made)
        measured = measurement.measurement_create(
            seed=seed, admin=users[DEMO_USERNAME], national_id=tree.national_id
        )
        report("turnout models", measured.models, measured.models)
    spent = spending.spending_create(seed=seed, national_id=tree.national_id)
    report("disbursements", spent.disbursements, spent.disbursements)
    polls_seeded = polls.polls_seed(seed=seed, states=STATES)
    report("polls", polls_seeded, polls_seeded)
    # Count the dashboard now, so that its first visitor does not wait for it.
    health.headline_refresh()
    seconds = time.monotonic() - started
    audit.audit_record(
        actor=None,
        kind=audit.Kind.BULK,
        action=SEED_COMPLETE,
        entity_type="organizing.orgunit",
        summary=f"synthetic campaign ({scale}, seed {seed}) in {seconds:.1f}s",
    )
    return SeedReport(
        voters=voter_file.voters,
        people=voter_file.voters + len(donors) + newcomers,
        households=voter_file.households + len(donors),
        donors=len(donors),
        volunteers=len(roles) + new_members,
        staff=len(users),
        units=tree.units,
        seconds=seconds,
    )


Team = tuple[int, list[str]]  # a team unit's id and the counties it covers
Grant = tuple[str, str, int, str]  # username, role, unit id, job title


@dataclass(frozen=True)
class StateUnits:
    """A state's unit and the units and staff the content and field demos work with."""

    state: str
    name: str
    unit_id: int
    region_id: int  # its first region, whose organizer drafts a flyer
    region_name: str
    region_organizer: str
    team_id: int  # its biggest team, whose voters are cut into turfs
    team_organizer: str  # the organizer of that team's region


@dataclass(frozen=True)
class Tree:
    national_id: int
    units: int
    teams: list[Team]
    states: list[StateUnits]
    grants: list[Grant]


def _hierarchy(report: Progress) -> Tree:
    """National > state > region > team units, the teams with their counties, and the staff
    roles to give in them."""
    places = voters.county_places()
    national = organizing_services.org_unit_create(actor=None, name="National", kind="national")
    grants = [
        (DEMO_USERNAME, "admin", national.pk, "Demo Admin"),
        ("analyst", "analyst", national.pk, "Data Analyst"),
    ]
    teams: list[Team] = []
    states: list[StateUnits] = []
    units = 1
    for number, (state, state_name) in enumerate(sorted(STATES.items()), start=1):
        state_unit = organizing_services.org_unit_create(
            actor=None, name=state_name, kind="state", parent=national, state=state
        )
        units += 1
        grants.append((f"director.{state.lower()}", "director", state_unit.pk, "State Director"))
        # Drafts the state's scripts, literature and talking points for the director to approve.
        grants.append(
            (f"comms.{state.lower()}", "organizer", state_unit.pk, "Communications Director")
        )
        counties = sorted((p for p in places if p.state == state), key=lambda p: p.longitude)
        bands = _BANDS[min(4, max(2, round(len(counties) / 25)))]
        regions: list[tuple[int, str, str]] = []  # unit id, name, organizer
        # The team with the most votes: its volunteer leader is on staff, its doors are cut.
        biggest_team = (0, 0, "")  # votes, unit id, organizer
        for band, region_counties in zip(bands, _split(counties, len(bands)), strict=True):
            region = organizing_services.org_unit_create(
                actor=None, name=f"{state_name} {band}", kind="region", parent=state_unit
            )
            units += 1
            slug = band.lower().replace(" ", "-")
            organizer = f"organizer.{state.lower()}.{slug}"
            grants.append((organizer, "organizer", region.pk, "Regional Organizer"))
            regions.append((region.pk, region.name, organizer))
            north_to_south = sorted(region_counties, key=lambda p: -p.latitude)
            n_teams = max(1, math.ceil(len(north_to_south) / _COUNTIES_PER_TEAM))
            for covered in _split(north_to_south, n_teams):
                # A team is known by its biggest county, where most of its volunteers live.
                anchor = max(covered, key=lambda p: p.votes_2024)
                fips = [p.fips for p in covered]
                team = organizing_services.org_unit_create(
                    actor=None,
                    name=f"{anchor.name} team",
                    kind="team",
                    parent=region,
                    counties=fips,
                )
                units += 1
                teams.append((team.pk, fips))
                votes = sum(p.votes_2024 for p in covered)
                biggest_team = max(biggest_team, (votes, team.pk, organizer))
        grants.append(
            (f"leader.{state.lower()}", "volunteer_leader", biggest_team[1], "Volunteer Leader")
        )
        states.append(
            StateUnits(
                state=state,
                name=state_name,
                unit_id=state_unit.pk,
                region_id=regions[0][0],
                region_name=regions[0][1],
                region_organizer=regions[0][2],
                team_id=biggest_team[1],
                team_organizer=biggest_team[2],
            )
        )
        report("org units", number, len(STATES))
    return Tree(national.pk, units, teams, states, grants)


def _desk(state: StateUnits, users: dict[str, User]) -> content.StateDesk:
    code = state.state.lower()
    return content.StateDesk(
        state=state.state,
        name=state.name,
        unit_id=state.unit_id,
        director=users[f"director.{code}"],
        writer=users[f"comms.{code}"],
        region_id=state.region_id,
        region_name=state.region_name,
        organizer=users[state.region_organizer],
    )


def _intake_desk(
    state: StateUnits, users: dict[str, User], team_counties: list[str]
) -> signups.StateDesk:
    return signups.StateDesk(
        state=state.state,
        name=state.name,
        unit_id=state.unit_id,
        director=users[f"director.{state.state.lower()}"],
        team_id=state.team_id,
        team_counties=frozenset(team_counties),
    )


def _office(
    state: StateUnits, users: dict[str, User], team_counties: list[str]
) -> events.StateOffice:
    """The team's office is in its county with the most ZIP codes, its biggest town."""
    zips = voters.county_zips()
    return events.StateOffice(
        state=state.state,
        team_id=state.team_id,
        county=max(sorted(team_counties), key=lambda fips: len(zips.get(fips, ()))),
        timezone=STATE_TIMEZONES[state.state],
        director=users[f"director.{state.state.lower()}"],
    )


def _state_field(
    state: StateUnits, users: dict[str, User], library: content.Library
) -> field.StateField:
    return field.StateField(
        state=state.state,
        unit_id=state.unit_id,
        team_id=state.team_id,
        director=users[f"director.{state.state.lower()}"],
        organizer=users[state.team_organizer],
        script_id=library.scripts[state.unit_id],
        guide_id=library.guides[state.unit_id],
        timezone=STATE_TIMEZONES[state.state],
    )


def _split(items: Sequence[_T], parts: int) -> list[Sequence[_T]]:
    """``items`` cut into ``parts`` runs of (nearly) equal length, in order."""
    bounds = [round(i * len(items) / parts) for i in range(parts + 1)]
    return [items[a:b] for a, b in itertools.pairwise(bounds)]


def _staff(grants: list[Grant], report: Progress) -> dict[str, User]:
    """Accounts for the grants, by username.

    Only the demo admin's password is kept: the others are synthetic colleagues whose roles
    show what scoped access looks like, and nobody needs to sign in as them.
    """

    demo_password = secrets.token_urlsafe(18)
    users: dict[str, User] = {}
    for done, (username, role, unit_id, title) in enumerate(grants, start=1):
        first, last = title.split(" ", 1)
        is_demo = username == DEMO_USERNAME
        user = organizing_services.staff_create(
            actor=None,
            username=username,
            password=demo_password if is_demo else secrets.token_urlsafe(18),
            email=f"{username}@example.org",
            first_name=first,
            last_name=last,
            superuser=is_demo,
        )
        unit = organizing.org_unit_get(unit_id)
        if unit is None:  # created moments ago in the same transaction
            raise RuntimeError(f"org unit {unit_id} vanished while seeding")
        organizing_services.staff_role_grant(actor=None, user=user, org_unit=unit, role=role)
        users[username] = user
        report("staff", done, len(grants))
    _save_demo_login(demo_password)
    return users


def _save_demo_login(password: str) -> None:
    """Keep the demo password where only its owner can read it (created 0600, never wider)."""
    path = demo_login_path()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an older file keeps its mode through O_TRUNC
    with os.fdopen(fd, "w") as f:
        json.dump({"username": DEMO_USERNAME, "password": password}, f)
