"""The synthetic campaign of ``groundgame demo`` and ``groundgame seed``.

A national unit, the seven swing states, two to four regions in each (bands of counties from
west to east) and turf teams under each region (bands of the region's counties from north to
south), each team covering real counties; staff with roles in those units; a voter file whose
counties, turnout and party lean follow the real returns (see ``people.synth``), and a few
volunteers on every team; donors from the rest of the country, and ten weeks of email and
text history with the subscriptions and churn that list health reads (see
``messaging.demo_history``). Nobody in it is real.

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

from django.db import transaction

from groundgame.audit import selectors as audit_selectors
from groundgame.audit import services as audit
from groundgame.core.env import home_dir
from groundgame.health import services as health
from groundgame.messaging import services as messaging
from groundgame.organizing import selectors as organizing
from groundgame.organizing import services as organizing_services
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people
from groundgame.runtime import CliError

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
        teams, units, grants = _hierarchy(report)
        staff = _staff(grants, report)
    voter_file = people.synthetic_voter_file_create(
        actor=None,
        voters=SCALES[scale],
        seed=seed,
        team_by_county={fips: team for team, counties in teams for fips in counties},
        progress=report,
    )
    roles = [(p, t, "leader" if leader else "volunteer") for p, t, leader in voter_file.volunteers]
    organizing_services.membership_bulk_create(
        actor=None, memberships=roles, source="synthetic campaign"
    )
    report("volunteers", len(roles), len(roles))
    # The messaging history is ten weeks long whatever the scale: at the state scale it
    # would be millions of sends, so that scale gets none.
    donors: list[int] = []
    if scale != "state":
        donors = people.synthetic_donors_create(
            actor=None, donors=round(SCALES[scale] * DONORS_PER_VOTER), seed=seed
        )
        history = messaging.demo_history_create(seed=seed, donor_ids=donors)
        report("mailings", history.mailings, history.mailings)
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
        people=voter_file.voters + len(donors),
        households=voter_file.households + len(donors),
        donors=len(donors),
        volunteers=len(roles),
        staff=staff,
        units=units,
        seconds=seconds,
    )


Team = tuple[int, list[str]]  # a team unit's id and the counties it covers
Grant = tuple[str, str, int, str]  # username, role, unit id, job title


def _hierarchy(report: Progress) -> tuple[list[Team], int, list[Grant]]:
    """National > state > region > team units, the teams with their counties, how many units
    there are and the staff roles to give in them."""
    places = people_selectors.swing_county_list()
    national = organizing_services.org_unit_create(actor=None, name="National", kind="national")
    grants = [
        (DEMO_USERNAME, "admin", national.pk, "Demo Admin"),
        ("analyst", "analyst", national.pk, "Data Analyst"),
    ]
    teams: list[Team] = []
    units = 1
    for number, (state, state_name) in enumerate(sorted(STATES.items()), start=1):
        state_unit = organizing_services.org_unit_create(
            actor=None, name=state_name, kind="state", parent=national, state=state
        )
        units += 1
        grants.append((f"director.{state.lower()}", "director", state_unit.pk, "State Director"))
        counties = sorted((p for p in places if p.state == state), key=lambda p: p.longitude)
        bands = _BANDS[min(4, max(2, round(len(counties) / 25)))]
        biggest_team = (0, 0)  # (votes, unit id): its volunteer leader is on staff
        for band, region_counties in zip(bands, _split(counties, len(bands)), strict=True):
            region = organizing_services.org_unit_create(
                actor=None, name=f"{state_name} {band}", kind="region", parent=state_unit
            )
            units += 1
            slug = band.lower().replace(" ", "-")
            grants.append(
                (f"organizer.{state.lower()}.{slug}", "organizer", region.pk, "Regional Organizer")
            )
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
                biggest_team = max(biggest_team, (sum(p.votes_2024 for p in covered), team.pk))
        grants.append(
            (f"leader.{state.lower()}", "volunteer_leader", biggest_team[1], "Volunteer Leader")
        )
        report("org units", number, len(STATES))
    return teams, units, grants


def _split(items: Sequence[_T], parts: int) -> list[Sequence[_T]]:
    """``items`` cut into ``parts`` runs of (nearly) equal length, in order."""
    bounds = [round(i * len(items) / parts) for i in range(parts + 1)]
    return [items[a:b] for a, b in itertools.pairwise(bounds)]


def _staff(grants: list[Grant], report: Progress) -> int:
    """Accounts for the grants; returns how many were made.

    Only the demo admin's password is kept: the others are synthetic colleagues whose roles
    show what scoped access looks like, and nobody needs to sign in as them.
    """

    demo_password = secrets.token_urlsafe(18)
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
        report("staff", done, len(grants))
    _save_demo_login(demo_password)
    return len(grants)


def _save_demo_login(password: str) -> None:
    """Keep the demo password where only its owner can read it (created 0600, never wider)."""
    path = demo_login_path()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an older file keeps its mode through O_TRUNC
    with os.fdopen(fd, "w") as f:
        json.dump({"username": DEMO_USERNAME, "password": password}, f)
