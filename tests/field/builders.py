"""A walk list to canvass, built the way the turf cutter and the content library leave one.

Org units, people, the universe and the script go through their services; households, the
turf and the walk list are created directly, like a factory would (the turf cutter's own
tests cover how turfs are made).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

# A street in Durham, NC: doors about 40 m apart going east.
START = (35.9940, -78.8986)
DOOR_SPACING_M = 40.0
STREET = "Chapel Hill St"
NAMES = [
    ("Maya", "Lopez"),
    ("Jordan", "Baker"),
    ("Aisha", "Diallo"),
    ("Luis", "Chen"),
    ("Grace", "Evans"),
    ("Omar", "Patel"),
    ("Hannah", "Reyes"),
    ("Priya", "Nguyen"),
]


@dataclass
class Canvass:
    code: str
    walk_list: Any
    team: Any
    households: list[Any]
    people: dict[int, list[Any]]  # household id -> residents
    script_versions: list[Any] = field(default_factory=list)

    def door(self, n: int) -> Any:
        return self.households[n]


def _east(meters: float) -> tuple[float, float]:
    lat, lon = START
    return lat, lon + meters / (111_320.0 * math.cos(math.radians(lat)))


def build_walk_list(
    *,
    team: Any,
    code: str = "DURHAM42",
    doors: int = 6,
    people_per_door: int = 2,
    script: bool = True,
    geocoded: bool = True,
    created_at: dt.datetime | None = None,
) -> Canvass:
    """A team's walk list of ``doors`` households in walking order, each with residents,
    with an approved script (and literature) when ``script``."""
    from groundgame.content import services as content
    from groundgame.field.models import Turf, TurfCut, TurfStop, WalkList
    from groundgame.people import services as people
    from groundgame.people.models import Household

    universe = people.universe_save(actor=None, name=f"Durham doors {code}", filters={})
    cut = TurfCut.objects.create(
        universe=universe,
        org_unit=team,
        name=f"Durham {code}",
        target_doors=doors,
        status=TurfCut.Status.DONE,
        households=doors,
    )
    turf = Turf.objects.create(
        cut=cut, number=1, name="Chapel Hill St, east", org_unit=team, doors=doors
    )
    households, residents = [], {}
    for n in range(doors):
        lat, lon = _east(n * DOOR_SPACING_M)
        household = Household.objects.create(
            street=f"{100 + 2 * n} {STREET}",
            city="Durham",
            state="NC",
            zip5="27701",
            county_fips="37063",
            latitude=lat if geocoded else None,
            longitude=lon if geocoded else None,
        )
        households.append(household)
        residents[household.pk] = [
            people.person_create(
                actor=None,
                first_name=NAMES[(n + k) % len(NAMES)][0],
                last_name=NAMES[n % len(NAMES)][1],
                household=household,
                org_unit_id=team.pk,
            )
            for k in range(people_per_door)
        ]
        TurfStop.objects.create(turf=turf, household=household, position=n + 1)
    versions = []
    item = None
    if script:
        item = content.content_item_create(
            actor=None,
            kind="script",
            title="Durham doors, October",
            org_unit_id=team.pk,
            body="Hi, I'm a volunteer with the campaign. What's the most important issue for "
            "you this year?",
        )
        versions.append(_approve(item.pk, None))
        leaflet = content.content_item_create(
            actor=None,
            kind="literature",
            title="Lower costs leaflet",
            org_unit_id=team.pk,
            body="Our plan to lower costs for working families.",
        )
        _approve(leaflet.pk, None)
    walk_list = WalkList.objects.create(turf=turf, code=code, script=item)
    # Handed out this morning, so that results "recorded" hours ago fall in its life.
    WalkList.objects.filter(pk=walk_list.pk).update(
        created_at=created_at or timezone.now() - dt.timedelta(hours=6)
    )
    walk_list.refresh_from_db()
    return Canvass(code, walk_list, team, households, residents, versions)


def _approver() -> Any:
    """A campaign admin, who approves content for every unit (superuser: above them all)."""
    from django.contrib.auth.models import User

    from groundgame.organizing import services as organizing

    return User.objects.filter(username="chair").first() or organizing.staff_create(
        actor=None, username="chair", password="correct-horse-battery-staple-42", superuser=True
    )


def _approve(item_id: int, body: str | None, questions: list[dict[str, Any]] | None = None) -> Any:
    from groundgame.content import services as content
    from groundgame.content.models import ContentVersion

    draft = (
        content.content_version_draft(actor=None, item_id=item_id, body=body, questions=questions)
        if body is not None
        else ContentVersion.objects.get(item_id=item_id, number=1)
    )
    content.content_version_submit(actor=None, version_id=draft.pk)
    return content.content_version_decide(actor=_approver(), version_id=draft.pk, approve=True)


def new_script_version(
    canvass: Canvass, body: str, questions: list[dict[str, Any]] | None = None
) -> Any:
    """A newer approved version of the list's script (the old one is superseded), asking
    ``questions`` (by default the questions of the one before)."""
    version = _approve(canvass.walk_list.script_id, body, questions)
    canvass.script_versions.append(version)
    return version


def recorded(minutes_ago: float = 0.0, *, now: dt.datetime | None = None) -> str:
    """A phone's recorded_at, ``minutes_ago`` before now."""
    return ((now or timezone.now()) - dt.timedelta(minutes=minutes_ago)).isoformat()
