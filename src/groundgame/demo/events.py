"""The demo campaign's events: in every state, around its biggest team's office, two weeks
of past canvasses and phone banks with who came, the coming two weeks' canvass launches,
phone banks and trainings with their RSVPs, and one event a new volunteer offers to host.

The past comes in as a history from another tool would (``event_import``, ``shift_import``,
``rsvp_import`` with attendance), since an event cannot be created once it is over. The coming
events are created by the state's director (``event_create``) and the newest volunteers RSVP
through the public path (``rsvp_create``), which confirms them until a shift is full and then
wait-lists them, and queues their confirmation emails; a volunteer proposes an event
(``event_propose``) for the organizers to decide. Nobody in it is real; the same seed gives
the same events.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from groundgame.demo import voters
from groundgame.events import selectors as events_selectors
from groundgame.events import services
from groundgame.organizing import selectors as organizing
from groundgame.volunteers import selectors as volunteers_selectors

PAST_WEEKS = 2
ATTENDED = 0.78  # of the confirmed volunteers of a past shift, who came
CANCELLED = 0.08  # of RSVPs, cancelled before the day
# The coming events: (days after tomorrow or after the coming Saturday, local start hour,
# hours, kind, title, places per shift, shifts, virtual). The first Saturday's morning shift
# fills and wait-lists.
COMING = (
    ((0, "tomorrow"), 18, 2, "phone_bank", "Phone bank: early vote plans", 30, 1, True),
    ((0, "saturday"), 10, 3, "canvass", "Saturday canvass launch", 3, 2, False),
    ((4, "tomorrow"), 18, 1, "training", "New volunteer training", 40, 1, True),
    ((7, "saturday"), 10, 3, "canvass", "Saturday canvass launch", 15, 2, False),
)
# The past ones, every week: (weekday, local start hour, hours, kind, title).
PAST = (
    (1, 18, 2, "phone_bank", "Tuesday phone bank"),
    (5, 10, 3, "canvass", "Saturday canvass launch"),
)
RSVPS_PER_COMING_EVENT = (4, 10)
RSVPS_PER_PAST_SHIFT = (5, 10)


@dataclass(frozen=True)
class StateOffice:
    """Where a state's events are: its biggest team, the county its office is in, its time
    zone, and the director who runs its events."""

    state: str
    team_id: int
    county: str
    timezone: str
    director: User


@dataclass(frozen=True)
class Calendar:
    events: int
    rsvps: int
    attended: int


def calendar_create(
    *,
    seed: int,
    offices: Sequence[StateOffice],
    newcomers: dict[str, list[dict[str, str]]],
    now: dt.datetime | None = None,
) -> Calendar:
    now = now or timezone.now()
    rng = random.Random(f"events-{seed}")
    events = rsvps = attended = 0
    zips = voters.county_zips()
    for office in offices:
        team = organizing.org_unit_get(office.team_id)
        if team is None:
            raise RuntimeError(f"team {office.team_id} vanished while seeding")
        where = zips[office.county][0]
        place = {
            "venue": f"{where.city} field office",
            "address": f"{rng.randint(100, 999)} Main St, {where.city}",
            "zip5": where.zip5,
        }
        zone = zoneinfo.ZoneInfo(office.timezone)
        today = timezone.localtime(now, zone).date()
        volunteers = [pk for pk, _ in volunteers_selectors.unit_volunteers(unit_path=team.path)]
        with transaction.atomic():
            for week in range(PAST_WEEKS, 0, -1):
                monday = today - dt.timedelta(days=today.weekday() + 7 * week)
                for weekday, hour, hours, kind, title in PAST:
                    start = _local(monday + dt.timedelta(days=weekday), hour, zone)
                    made, came = _past_event(
                        rng, office, team, place, kind, title, start, hours, volunteers
                    )
                    events, rsvps, attended = events + 1, rsvps + made, attended + came
        people = list(newcomers.get(office.state, []))
        rng.shuffle(people)
        tomorrow = today + dt.timedelta(days=1)
        saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
        for (days, after), hour, hours, kind, title, places, shifts, virtual in COMING:
            day = (saturday if after == "saturday" else tomorrow) + dt.timedelta(days=days)
            start = _local(day, hour, zone)
            specs = [
                services.ShiftSpec(
                    starts_at=start + dt.timedelta(hours=hours * i),
                    ends_at=start + dt.timedelta(hours=hours * (i + 1)),
                    capacity=places,
                )
                for i in range(shifts)
            ]
            with transaction.atomic():
                event = services.event_create(
                    actor=office.director,
                    org_unit=team,
                    title=title,
                    kind=kind,
                    description=_DESCRIPTIONS[kind],
                    is_virtual=virtual,
                    timezone_name=office.timezone,
                    shifts=specs,
                    **({} if virtual else place),
                )
                events += 1
                detail = events_selectors.event_detail(event_id=event.pk)
                assert detail is not None
                shift_ids = [s.shift.pk for s in detail.shifts]
                for i in range(rng.randint(*RSVPS_PER_COMING_EVENT)):
                    if not people:
                        break
                    fields = people[i % len(people)]
                    services.rsvp_create(
                        actor=None,
                        shift_id=shift_ids[0] if i % 3 else shift_ids[-1],
                        first_name=fields["first_name"],
                        last_name=fields["last_name"],
                        email=fields["email"],
                        zip5=fields["zip5"],
                        source="web",
                    )
                    rsvps += 1
        if people:
            host = people[-1]
            start = _local(saturday + dt.timedelta(days=1), 16, zone)
            services.event_propose(
                actor=None,
                title=f"Porch party and postcards at {host['first_name']}'s",
                kind="other",
                zip5=host["zip5"],
                starts_at=start,
                ends_at=start + dt.timedelta(hours=2),
                capacity=12,
                host_first_name=host["first_name"],
                host_last_name=host["last_name"],
                host_email=host["email"],
                description="Neighbours write postcards to voters; snacks on the porch.",
            )
            events += 1
    return Calendar(events=events, rsvps=rsvps, attended=attended)


_DESCRIPTIONS = {
    "canvass": "We train you, hand you a walk list and pair you with an experienced canvasser.",
    "phone_bank": "Call voters from home with our dialer; bring a laptop and a headset.",
    "training": "An hour on the script, the canvassing app and what to say at the door.",
}


def _local(day: dt.date, hour: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone)


def _past_event(
    rng: random.Random,
    office: StateOffice,
    team: object,
    place: dict[str, str],
    kind: str,
    title: str,
    start: dt.datetime,
    hours: int,
    volunteers: list[int],
) -> tuple[int, int]:
    """A past event of the team with one shift, its RSVPs and who came; (RSVPs, attended)."""
    # Imported as the system, as a file from the other tool would be.
    event, _ = services.event_import(
        actor=None,
        event_id=None,
        org_unit=team,  # type: ignore[arg-type]
        title=title,
        kind=kind,
        description=_DESCRIPTIONS[kind],
        timezone_name=office.timezone,
        is_virtual=False,
        latitude=None,
        longitude=None,
        **place,
    )
    shift, _ = services.shift_import(
        actor=None,
        event=event,
        shift_id=None,
        spec=services.ShiftSpec(starts_at=start, ends_at=start + dt.timedelta(hours=hours)),
    )
    count = min(len(volunteers), rng.randint(*RSVPS_PER_PAST_SHIFT))
    came = 0
    for person_id in rng.sample(volunteers, count):
        cancelled = rng.random() < CANCELLED
        showed = not cancelled and rng.random() < ATTENDED
        services.rsvp_import(
            actor=None,
            signup_id=None,
            shift=shift,
            person_id=person_id,
            status="cancelled" if cancelled else "confirmed",
            attendance="attended" if showed else ("unknown" if cancelled else "no_show"),
            source="field office sign-in sheet",
        )
        came += showed
    return count, came
