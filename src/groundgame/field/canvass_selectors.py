"""Reads for the canvassing app and its review: a walk list by code and what the app
downloads, results per unit per day, and what waits for review."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Concat, TruncDate

from groundgame.content import selectors as content_selectors
from groundgame.field import quality, turf_selectors
from groundgame.field.models import CanvassResult, SyncRejection, TurfStop, WalkList
from groundgame.organizing import selectors as organizing_selectors
from groundgame.organizing.selectors import StaffScope
from groundgame.people import selectors as people_selectors

SUPPORT_LABELS = {
    1: "Strongly for us",
    2: "Leaning for us",
    3: "Undecided",
    4: "Leaning against",
    5: "Strongly against",
}


def walk_list_by_code(code: str) -> WalkList | None:
    """The list a code names; codes are upper case (see ``walk_list_code``) and read aloud,
    so the case typed does not matter."""
    code = code.strip().upper()
    if not code or len(code) > 40:
        return None
    return WalkList.objects.select_related("turf").filter(code=code).first()


def walk_list_bundle(walk_list: WalkList) -> dict[str, Any]:
    """Everything the app stores to work offline: the doors in walking order with the people
    living there, the current approved script with its survey questions, the literature of
    the team and the units above it, and the outcomes and support levels the app records.
    The contact rule decides who is on it, as on the turf page (``turf_selectors.turf_walk``)."""
    turf = walk_list.turf
    unit = organizing_selectors.org_unit_get(turf.org_unit_id)
    stops = list(
        TurfStop.objects.filter(turf=turf)
        .order_by("position")
        .values_list("household_id", "position")
    )
    refused = turf_selectors.door_refusals(h for h, _ in stops)
    stops = [(h, position) for h, position in stops if h not in refused.households]
    ids = [household_id for household_id, _ in stops]
    households = {h.pk: h for h in people_selectors.households_by_ids(ids)}
    people: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for person in turf_selectors.knockable(people_selectors.household_residents(ids)):
        people[person.household_id or 0].append({"id": person.pk, "name": person.full_name})
    script = (
        content_selectors.current_approved_version(walk_list.script_id)
        if walk_list.script_id
        else None
    )
    unit_ids = organizing_selectors.unit_path_ids(unit.path) if unit else []
    literature = content_selectors.current_approved_versions(
        kind="literature", org_unit_ids=unit_ids
    )
    return {
        "code": walk_list.code,
        "name": turf.name,
        "team": unit.name if unit else "",
        "expires_at": walk_list.expires_at.isoformat() if walk_list.expires_at else None,
        "script": (
            {
                "item_id": script.item_id,
                "version_id": script.pk,
                "number": script.number,
                "title": script.item.title,
                "body": script.body,
                "questions": script.questions,
            }
            if script
            else None
        ),
        "literature": [
            {"item_id": v.item_id, "version_id": v.pk, "title": v.item.title, "body": v.body}
            for v in literature
        ],
        "outcomes": [{"key": k, "label": label} for k, label in CanvassResult.Outcome.choices],
        "support": [{"value": k, "label": label} for k, label in SUPPORT_LABELS.items()],
        "households": [
            {
                "id": household_id,
                "position": position,
                "street": h.street,
                "unit": h.unit,
                "city": h.city,
                "state": h.state,
                "zip5": h.zip5,
                "latitude": h.latitude,
                "longitude": h.longitude,
                "people": people.get(household_id, []),
            }
            for household_id, position in stops
            if (h := households.get(household_id)) is not None
        ],
    }


def walk_list_refusals(walk_list: WalkList) -> turf_selectors.Refused:
    """The people and doors of a list the contact rule now refuses, for the app to drop
    from the copy it downloaded."""
    stops = TurfStop.objects.filter(turf_id=walk_list.turf_id).values_list(
        "household_id", flat=True
    )
    return turf_selectors.door_refusals(stops)


def stored_client_ids(client_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these results are stored already (a replayed sync)."""
    wanted = list(client_ids)
    if not wanted:
        return set()
    return set(
        CanvassResult.objects.filter(client_id__in=wanted).values_list("client_id", flat=True)
    )


def walk_list_places(walk_list: WalkList) -> dict[int, quality.Place | None]:
    """The households of a list, each with where it is for the quality rules (geocoded, else
    its ZIP centroid, else None), in one query."""
    rows = TurfStop.objects.filter(turf_id=walk_list.turf_id).values_list(
        "household_id", "household__latitude", "household__longitude", "household__zip5"
    )
    return {pk: quality.household_place(lat, lon, zip5) for pk, lat, lon, zip5 in rows}


@dataclass(frozen=True)
class DailyCount:
    org_unit_id: int
    day: dt.date
    doors: int
    conversations: int
    # A volunteer is one phone on one list: the canvasser's name within the list.
    volunteers: int


def canvass_daily_counts(*, since: dt.date, until: dt.date) -> list[DailyCount]:
    """Doors knocked, conversations and volunteers out per org unit (the list's team) per day
    recorded (in the site's time zone), ``since`` to ``until`` inclusive; organizer reporting
    rolls these up the tree. Results a reviewer found not genuine are left out; flagged ones
    count until decided."""
    rows = (
        CanvassResult.objects.filter(recorded_at__date__gte=since, recorded_at__date__lte=until)
        .exclude(review=CanvassResult.Review.REJECTED)
        .annotate(day=TruncDate("recorded_at"))
        .values("org_unit_id", "day")
        .annotate(
            doors=Count("pk"),
            conversations=Count("pk", filter=Q(outcome=CanvassResult.Outcome.TALKED)),
            volunteers=Count(Concat("walk_list_id", "canvasser_name"), distinct=True),
        )
        .order_by("day", "org_unit_id")
    )
    return [
        DailyCount(r["org_unit_id"], r["day"], r["doors"], r["conversations"], r["volunteers"])
        for r in rows
    ]


def flagged_result_list(*, scope: StaffScope) -> QuerySet[CanvassResult]:
    """Results flagged as possibly fabricated and not yet reviewed, in the staff's units."""
    return (
        CanvassResult.objects.filter(review=CanvassResult.Review.FLAGGED)
        .filter(scope.person_filter())
        .select_related("walk_list", "org_unit", "household")
        .order_by("recorded_at")
    )


def open_rejection_list(*, scope: StaffScope) -> QuerySet[SyncRejection]:
    """Rejected results nobody has looked at yet, in the staff's units (national staff also
    see those sent with an unknown list code)."""
    rows = SyncRejection.objects.filter(resolved_at__isnull=True)
    if not scope.everywhere:
        rows = rows.filter(scope.person_filter())
    return rows.select_related("org_unit").order_by("-received_at")


def person_activity(person_id: int) -> list[people_selectors.PersonActivity]:
    """What canvassers recorded at the person's door, for their page (people's activity
    registry)."""
    rows = CanvassResult.objects.filter(person_id=person_id).order_by("-recorded_at")[
        : people_selectors.PERSON_ACTIVITY_LIMIT
    ]
    return [
        people_selectors.PersonActivity(
            at=r.recorded_at,
            kind="Doors",
            text=f"Door: {r.get_outcome_display().lower()}"
            + (f", by {r.canvasser_name}" if r.canvasser_name else ""),
        )
        for r in rows
    ]
def households_reached(universe_id: int) -> QuerySet[Any]:
    """The households a canvasser talked with on the walk lists of the universe's turf cuts
    (ids): who a door program reached, for the effect on those it reached."""
    return (
        CanvassResult.objects.filter(
            outcome=CanvassResult.Outcome.TALKED, walk_list__turf__cut__universe_id=universe_id
        )
        .values("household_id")
        .distinct()
    )
