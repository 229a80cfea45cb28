"""Reads of the events app: the public search near a ZIP code, an event's page, the staff
lists and proposals, host links, and the shifts other apps hand work to."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from groundgame.core.geo import ZipPlace, bounding_box, distance_miles, zip_place
from groundgame.events import errors
from groundgame.events.models import Event, Shift, ShiftSignup
from groundgame.organizing.selectors import StaffScope, org_unit_for_zip, org_unit_timezone
from groundgame.people.selectors import PERSON_ACTIVITY_LIMIT, PersonActivity

# The salt keeps the name it had when events lived in organizing: host links already sent
# must keep working.
_HOST_SALT = "groundgame.organizing.event-host"


@dataclass(frozen=True)
class ShiftSummary:
    shift: Shift
    confirmed: int
    waitlisted: int

    @property
    def spots_left(self) -> int:
        return max(0, self.shift.capacity - self.confirmed)


@dataclass(frozen=True)
class EventNear:
    event: Event
    # None for virtual events, and when the search gave no ZIP code.
    distance_miles: float | None
    shifts: list[ShiftSummary]

    @property
    def next_shift(self) -> ShiftSummary | None:
        return self.shifts[0] if self.shifts else None


@dataclass(frozen=True)
class EventSearch:
    origin: ZipPlace | None
    radius_miles: float
    results: list[EventNear]


def _shift_summaries(shifts: QuerySet[Shift]) -> list[ShiftSummary]:
    rows = shifts.annotate(
        n_confirmed=Count("signups", filter=Q(signups__status=ShiftSignup.Status.CONFIRMED)),
        n_waitlisted=Count("signups", filter=Q(signups__status=ShiftSignup.Status.WAITLISTED)),
    ).order_by("starts_at", "pk")
    return [ShiftSummary(shift=s, confirmed=s.n_confirmed, waitlisted=s.n_waitlisted) for s in rows]


def _shift_summaries_by_event(shifts: QuerySet[Shift]) -> dict[int, list[ShiftSummary]]:
    """The shifts of many events with their counts, in one query, by event id."""
    by_event: dict[int, list[ShiftSummary]] = {}
    for summary in _shift_summaries(shifts):
        by_event.setdefault(summary.shift.event_id, []).append(summary)
    return by_event


def events_near(
    *,
    zip5: str = "",
    radius_miles: float = 25,
    kind: str = "",
    now: dt.datetime | None = None,
    limit: int = 100,
) -> EventSearch:
    """Published events with a shift still to come, nearest first, within the radius of the
    ZIP code's centroid; virtual events follow (distance means nothing for them). Without a
    ZIP code, everything upcoming by date.

    Raises ``ValidationFailed`` (``zip_unknown``) for a ZIP code that is not in the table.
    """
    now = now or timezone.now()
    zip5 = zip5.strip()
    origin = None
    if zip5:
        origin = zip_place(zip5)
        if origin is None:
            raise errors.ValidationFailed(
                f"{zip5} is not a ZIP code we know.", code=errors.ZIP_UNKNOWN, field="zip"
            )
    events = Event.objects.filter(status=Event.Status.PUBLISHED, shifts__ends_at__gt=now)
    if kind:
        events = events.filter(kind=kind)
    if origin is not None:
        south, north, west, east = bounding_box(origin.latitude, origin.longitude, radius_miles)
        events = events.filter(
            Q(is_virtual=True) | Q(latitude__range=(south, north), longitude__range=(west, east))
        )
    candidates = list(events.distinct().select_related("org_unit")[: limit * 4])
    by_event = _shift_summaries_by_event(
        Shift.objects.filter(event__in=[e.pk for e in candidates], ends_at__gt=now)
    )
    results: list[EventNear] = []
    for event in candidates:
        distance = None
        if origin is not None and event.latitude is not None and event.longitude is not None:
            distance = distance_miles(
                origin.latitude, origin.longitude, event.latitude, event.longitude
            )
            if distance > radius_miles:
                continue
        results.append(EventNear(event=event, distance_miles=distance, shifts=by_event[event.pk]))
    far = float("inf")
    results.sort(
        key=lambda r: (
            r.event.is_virtual,
            r.distance_miles if r.distance_miles is not None else far,
            r.shifts[0].shift.starts_at,
        )
    )
    return EventSearch(origin=origin, radius_miles=radius_miles, results=results[:limit])


@dataclass(frozen=True)
class EventDetail:
    event: Event
    shifts: list[ShiftSummary]
    upcoming: list[ShiftSummary]


def event_detail(
    *, slug: str = "", event_id: int | None = None, now: dt.datetime | None = None
) -> EventDetail | None:
    """An event with each shift's counts; ``upcoming`` are those not over yet."""
    rows = Event.objects.select_related("org_unit", "host")
    event = (rows.filter(pk=event_id) if event_id is not None else rows.filter(slug=slug)).first()
    if event is None:
        return None
    now = now or timezone.now()
    shifts = _shift_summaries(event.shifts.all())
    return EventDetail(
        event=event, shifts=shifts, upcoming=[s for s in shifts if s.shift.ends_at > now]
    )


def event_public(slug: str) -> EventDetail | None:
    """The public page of an event: published or cancelled ones (which say so)."""
    detail = event_detail(slug=slug)
    if detail is None or detail.event.status not in (
        Event.Status.PUBLISHED,
        Event.Status.CANCELLED,
    ):
        return None
    return detail


@dataclass(frozen=True)
class StaffEventRow:
    event: Event
    shifts: int
    confirmed: int
    waitlisted: int
    first_start: dt.datetime | None


def event_list_for_staff(
    *, scope: StaffScope, past: bool = False, now: dt.datetime | None = None
) -> list[StaffEventRow]:
    """Events of the units this scope covers: upcoming by date, or past most recent first."""
    now = now or timezone.now()
    rows = (
        Event.objects.filter(scope.person_filter())
        .exclude(status=Event.Status.PROPOSED)
        .select_related("org_unit")
        .annotate(
            n_shifts=Count("shifts", distinct=True),
            first_start=Min("shifts__starts_at"),
            last_end=Max("shifts__ends_at"),
            n_confirmed=Count(
                "shifts__signups",
                filter=Q(shifts__signups__status=ShiftSignup.Status.CONFIRMED),
            ),
            n_waitlisted=Count(
                "shifts__signups",
                filter=Q(shifts__signups__status=ShiftSignup.Status.WAITLISTED),
            ),
        )
    )
    rows = (
        rows.filter(last_end__lte=now).order_by("-first_start")
        if past
        else rows.filter(Q(last_end__gt=now) | Q(last_end__isnull=True)).order_by("first_start")
    )
    return [
        StaffEventRow(
            event=e,
            shifts=e.n_shifts,
            confirmed=e.n_confirmed,
            waitlisted=e.n_waitlisted,
            first_start=e.first_start,
        )
        for e in rows[:500]
    ]


def event_proposals_pending(*, scope: StaffScope) -> list[EventDetail]:
    """Volunteers' proposals waiting for a decision in the units of this scope, oldest first."""
    events = list(
        Event.objects.filter(scope.person_filter(), status=Event.Status.PROPOSED)
        .select_related("org_unit", "host")
        .order_by("created_at", "pk")
    )
    by_event = _shift_summaries_by_event(Shift.objects.filter(event__in=[e.pk for e in events]))
    return [
        EventDetail(event=e, shifts=by_event.get(e.pk, []), upcoming=by_event.get(e.pk, []))
        for e in events
    ]


def rsvp_by_token(token: str) -> ShiftSignup | None:
    """An RSVP by the secret of its cancel link."""
    if not token:
        return None
    return (
        ShiftSignup.objects.select_related("shift__event", "person")
        .filter(cancel_token=token)
        .first()
    )


def event_host_token(event_id: int) -> str:
    """The secret of a volunteer host's link to their roster (no account needed)."""
    return signing.dumps(event_id, salt=_HOST_SALT)


def event_id_for_host_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=_HOST_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def shift_list_upcoming(
    *, scope: StaffScope, now: dt.datetime | None = None, limit: int = 200
) -> list[Shift]:
    """Shifts not over yet of published events in the units this scope covers, soonest
    first, with their event (to hand a walk list to a shift)."""
    now = now or timezone.now()
    return list(
        Shift.objects.filter(
            scope.person_filter("event__org_unit__path"),
            event__status=Event.Status.PUBLISHED,
            ends_at__gt=now,
        )
        .select_related("event")
        .order_by("starts_at", "pk")[:limit]
    )


def proposal_timezone(zip5: str) -> str:
    """The zone of a proposed event: its unit's, the team covering its ZIP code's county (the
    volunteer's times are read in it)."""
    unit = org_unit_for_zip(zip5.strip())
    return org_unit_timezone(unit) if unit is not None else str(settings.GROUNDGAME_TIME_ZONE)


def shift_local_start(shift: Shift) -> str:
    """When a shift starts, in its event's zone, as a picker lists it: "Sat Mar 7, 9:00 AM
    MST"."""
    starts = timezone.localtime(shift.starts_at, zoneinfo.ZoneInfo(shift.event.timezone))
    return f"{starts:%a %b} {starts.day}, {starts:%-I:%M %p} {starts.tzname()}"


def shift_get(shift_id: int) -> Shift | None:
    return Shift.objects.select_related("event__org_unit").filter(pk=shift_id).first()


def shift_fill_by_unit_day(
    *, since: dt.date, until: dt.date
) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """(places filled, capacity) of published events' shifts per org unit per day the shift
    starts, ``since`` to ``until`` inclusive: how well the field program staffs its shifts.

    Places and confirmed RSVPs are counted in two queries: summed over a join with the RSVPs,
    a shift's capacity would count once per RSVP."""
    shifts = Shift.objects.filter(
        event__status=Event.Status.PUBLISHED,
        starts_at__date__gte=since,
        starts_at__date__lte=until,
    )
    places = (
        shifts.annotate(day=TruncDate("starts_at"))
        .values("event__org_unit_id", "day")
        .annotate(n=Sum("capacity"))
    )
    filled = (
        ShiftSignup.objects.filter(shift__in=shifts, status=ShiftSignup.Status.CONFIRMED)
        .annotate(day=TruncDate("shift__starts_at"))
        .values("shift__event__org_unit_id", "day")
        .annotate(n=Count("pk"))
    )
    confirmed = {(r["shift__event__org_unit_id"], r["day"]): r["n"] for r in filled}
    return {
        (r["event__org_unit_id"], r["day"]): (
            confirmed.get((r["event__org_unit_id"], r["day"]), 0),
            r["n"] or 0,
        )
        for r in places
    }


def person_activity(person_id: int) -> list[PersonActivity]:
    """The person's places on shifts, for their page (people's activity registry)."""
    rows = (
        ShiftSignup.objects.filter(person_id=person_id)
        .select_related("shift__event")
        .order_by("-created_at")[:PERSON_ACTIVITY_LIMIT]
    )
    return [
        PersonActivity(
            at=r.created_at,
            kind="Events",
            text=f"Place on {r.shift.event.title}, "
            f"{r.shift.starts_at:%b %-d %H:%M} UTC: {r.get_status_display().lower()}",
        )
        for r in rows
    ]
