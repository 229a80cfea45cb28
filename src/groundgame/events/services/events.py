"""Events and their shifts: staff create, clone and cancel them; volunteers propose one they
will host and organizers decide."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core.errors import ApplicationError
from groundgame.core.geo import zip_place
from groundgame.events import errors, selectors
from groundgame.events.models import Event, Shift, ShiftSignup
from groundgame.events.services.notices import notify, schedule_reminders
from groundgame.organizing.selectors import (
    OrgUnit,
    org_unit_for_zip,
    org_unit_timezone,
    staff_scope,
)
from groundgame.people import services as people_services

MAX_CAPACITY = 10_000


@dataclass(frozen=True)
class ShiftSpec:
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int = 20


def require_event_staff(actor: Actor, org_unit: OrgUnit) -> None:
    """Staff with personal-data roles over the unit manage its events; the system may too."""
    if actor is None:
        return
    if not staff_scope(actor).covers(org_unit.path):
        raise errors.PermissionDenied(
            f"Only staff of {org_unit.name} or a unit above it can manage this event.",
            code=errors.EVENT_NOT_IN_SCOPE,
        )


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def event_invalid(message: str, field: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(message, code=errors.EVENT_INVALID, field=field)


def clean_event_fields(
    *,
    title: str,
    kind: str,
    description: str,
    is_virtual: bool,
    venue: str,
    address: str,
    zip5: str,
    timezone_name: str,
    latitude: float | None = None,
    longitude: float | None = None,
) -> dict[str, Any]:
    title, zip5 = title.strip(), zip5.strip()
    if not title:
        raise event_invalid("An event needs a title.", "title")
    if len(title) > 200:
        raise event_invalid("Keep the title under 200 characters.", "title")
    if kind not in Event.Kind.values:
        raise event_invalid(f"Unknown kind of event {kind!r}.", "kind")
    if timezone_name not in _timezones():
        raise event_invalid(f"{timezone_name!r} is not a time zone.", "timezone")
    if zip5 and not re.fullmatch(r"\d{5}", zip5):
        raise event_invalid("A ZIP code is 5 digits.", "zip5")
    if (latitude is None) != (longitude is None) or (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise event_invalid("The location's coordinates are not a place on Earth.", "location")
    if not is_virtual and latitude is None:
        if not zip5:
            raise event_invalid("An in-person event needs the ZIP code of its venue.", "zip5")
        place = zip_place(zip5)
        if place is None:
            raise event_invalid(f"{zip5} is not a ZIP code we know.", "zip5")
        latitude, longitude = place.latitude, place.longitude
    return {
        "title": title,
        "kind": kind,
        "description": description.strip(),
        "is_virtual": is_virtual,
        "venue": venue.strip()[:200],
        "address": address.strip()[:300],
        "zip5": zip5,
        "timezone": timezone_name,
        "latitude": None if is_virtual else latitude,
        "longitude": None if is_virtual else longitude,
    }


def clean_shift(spec: ShiftSpec, *, now: dt.datetime | None = None) -> ShiftSpec:
    """``now`` given: the shift must not be over (imports of past events pass none)."""
    for name in ("starts_at", "ends_at"):
        if timezone.is_naive(getattr(spec, name)):
            raise errors.ValidationFailed(
                "A shift's times need a time zone.", code=errors.SHIFT_INVALID, field=name
            )
    if spec.ends_at <= spec.starts_at:
        raise errors.ValidationFailed(
            "A shift ends after it starts.", code=errors.SHIFT_INVALID, field="ends_at"
        )
    if spec.ends_at - spec.starts_at > dt.timedelta(days=7):
        raise errors.ValidationFailed(
            "A shift lasts a week at most; add more shifts instead.",
            code=errors.SHIFT_INVALID,
            field="ends_at",
        )
    if not 1 <= spec.capacity <= MAX_CAPACITY:
        raise errors.ValidationFailed(
            f"Capacity is between 1 and {MAX_CAPACITY:,}.",
            code=errors.SHIFT_INVALID,
            field="capacity",
        )
    if now is not None and spec.ends_at <= now:
        raise errors.ValidationFailed(
            "That shift is already over.", code=errors.SHIFT_INVALID, field="starts_at"
        )
    return spec


def event_save_new(**fields: Any) -> Event:
    """Create an event under a slug made from its title, made unique by a short suffix
    when taken (also when another request takes it between the check and the insert)."""
    base = slugify(fields["title"])[:80] or "event"
    slug = base
    if Event.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return Event.objects.create(slug=slug, **fields)
        except IntegrityError:
            slug = f"{base}-{secrets.token_hex(3)}"
    raise errors.Conflict("Could not find a free address for this event; try again.")


def _shifts_create(event: Event, specs: Sequence[ShiftSpec]) -> list[Shift]:
    return [
        Shift.objects.create(
            event=event, starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity
        )
        for s in specs
    ]


def event_create(
    *,
    actor: Actor,
    org_unit: OrgUnit,
    title: str,
    kind: str,
    description: str = "",
    is_virtual: bool = False,
    venue: str = "",
    address: str = "",
    zip5: str = "",
    timezone_name: str = "",
    shifts: Sequence[ShiftSpec] = (),
) -> Event:
    """A published event with its shifts; reminders are scheduled for each shift. Its times
    are shown in ``timezone_name``, by default the zone of its unit's area."""
    require_event_staff(actor, org_unit)
    timezone_name = timezone_name or org_unit_timezone(org_unit)
    fields = clean_event_fields(
        title=title,
        kind=kind,
        description=description,
        is_virtual=is_virtual,
        venue=venue,
        address=address,
        zip5=zip5,
        timezone_name=timezone_name,
    )
    now = timezone.now()
    specs = [clean_shift(s, now=now) for s in shifts]
    with transaction.atomic():
        event = event_save_new(
            org_unit=org_unit,
            status=Event.Status.PUBLISHED,
            created_by=actor if isinstance(actor, User) else None,
            **fields,
        )
        created = _shifts_create(event, specs)
        audit.audit_create(
            actor=actor,
            action="event.create",
            instance=event,
            summary=f"{event.title} with {len(created)} shifts",
        )
        schedule_reminders(created)
    return event


def event_clone(*, actor: Actor, event_id: int, days_later: int = 7) -> Event:
    """A copy of an event and its shifts ``days_later`` days on: next week's phone bank in a
    minute. The copy is published; RSVPs stay with the original."""
    if not -3650 <= days_later <= 3650:
        raise event_invalid("Move the copy by at most ten years.", "days_later")
    source = Event.objects.select_related("org_unit").filter(pk=event_id).first()
    if source is None:
        raise errors.NotFound("No such event.", code=errors.EVENT_NOT_FOUND)
    offset = dt.timedelta(days=days_later)
    now = timezone.now()
    specs = [
        clean_shift(
            ShiftSpec(
                starts_at=s.starts_at + offset, ends_at=s.ends_at + offset, capacity=s.capacity
            ),
            now=now,
        )
        for s in source.shifts.all()
    ]
    require_event_staff(actor, source.org_unit)
    with transaction.atomic():
        event = event_save_new(
            title=source.title,
            kind=source.kind,
            description=source.description,
            org_unit=source.org_unit,
            status=Event.Status.PUBLISHED,
            is_virtual=source.is_virtual,
            venue=source.venue,
            address=source.address,
            zip5=source.zip5,
            latitude=source.latitude,
            longitude=source.longitude,
            timezone=source.timezone,
            host=source.host,
            created_by=actor if isinstance(actor, User) else None,
        )
        created = _shifts_create(event, specs)
        audit.audit_create(
            actor=actor,
            action="event.clone",
            instance=event,
            summary=f"copy of event {source.pk}, {days_later} days later",
        )
        schedule_reminders(created)
    return event


def event_cancel(*, actor: Actor, event_id: int) -> Event:
    """Cancel an event; everyone holding a place or waiting is told."""
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            raise errors.NotFound("No such event.", code=errors.EVENT_NOT_FOUND)
        require_event_staff(actor, event.org_unit)
        if event.status == Event.Status.CANCELLED:
            return event
        before = audit.snapshot(event)
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status", "updated_at"])
        audit.audit_update(actor=actor, action="event.cancel", instance=event, before=before)
        active = ShiftSignup.objects.filter(shift__event=event).exclude(
            status=ShiftSignup.Status.CANCELLED
        )
        notify(active.values_list("pk", flat=True), "event_cancelled")
    return event


def event_timezone_set(*, actor: Actor, event_id: int, timezone_name: str) -> Event:
    """Correct the zone an event's times are in: its shifts keep their local times (10:00
    stays 10:00, now in the new zone). Refused while an upcoming shift has RSVPs, whose
    volunteers were told the old times."""
    if timezone_name not in _timezones():
        raise event_invalid(f"{timezone_name!r} is not a time zone.", "timezone")
    new = zoneinfo.ZoneInfo(timezone_name)
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            raise errors.NotFound("No such event.", code=errors.EVENT_NOT_FOUND)
        require_event_staff(actor, event.org_unit)
        if event.timezone == timezone_name:
            return event
        upcoming = Shift.objects.filter(event=event, ends_at__gt=timezone.now())
        if (
            ShiftSignup.objects.filter(shift__in=upcoming)
            .exclude(status=ShiftSignup.Status.CANCELLED)
            .exists()
        ):
            raise errors.Conflict(
                "Volunteers have RSVP'd to these times: cancel the event and publish it again "
                "in the right zone, so that they are told.",
                code=errors.EVENT_INVALID,
                field="timezone",
            )
        old = zoneinfo.ZoneInfo(event.timezone)
        shifts = list(Shift.objects.filter(event=event))
        for shift in shifts:
            shift.starts_at = _same_wall_time(shift.starts_at, old, new)
            shift.ends_at = _same_wall_time(shift.ends_at, old, new)
        Shift.objects.bulk_update(shifts, ["starts_at", "ends_at"])
        before = audit.snapshot(event)
        event.timezone = timezone_name
        event.save(update_fields=["timezone", "updated_at"])
        audit.audit_update(actor=actor, action="event.timezone_set", instance=event, before=before)
        schedule_reminders([s for s in shifts if s.ends_at > timezone.now()])
    return event


def _same_wall_time(
    moment: dt.datetime, old: zoneinfo.ZoneInfo, new: zoneinfo.ZoneInfo
) -> dt.datetime:
    return timezone.localtime(moment, old).replace(tzinfo=new)


def shift_add(
    *, actor: Actor, event_id: int, starts_at: dt.datetime, ends_at: dt.datetime, capacity: int
) -> Shift:
    spec = clean_shift(
        ShiftSpec(starts_at=starts_at, ends_at=ends_at, capacity=capacity), now=timezone.now()
    )
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            raise errors.NotFound("No such event.", code=errors.EVENT_NOT_FOUND)
        require_event_staff(actor, event.org_unit)
        (shift,) = _shifts_create(event, [spec])
        audit.audit_create(actor=actor, action="shift.add", instance=shift)
        if event.status == Event.Status.PUBLISHED:
            schedule_reminders([shift])
    return shift


def clean_contact(*, first_name: str, last_name: str, email: str, code: str) -> str:
    """Names are required; the email is required and shaped like one. Returns the email."""
    for name, value in (("first_name", first_name), ("last_name", last_name)):
        if not value.strip():
            raise errors.ValidationFailed("This field is required.", code=code, field=name)
    email = email.strip().lower()
    if not email:
        raise errors.ValidationFailed(
            "We need an email address to confirm your place.", code=code, field="email"
        )
    try:
        return people_services.email_checked(email, field="email")
    except ApplicationError as exc:
        raise errors.ValidationFailed(exc.message, code=code, field="email") from None


def event_propose(
    *,
    actor: Actor,
    title: str,
    kind: str,
    zip5: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    host_first_name: str,
    host_last_name: str,
    host_email: str,
    host_phone: str = "",
    description: str = "",
    is_virtual: bool = False,
    venue: str = "",
    address: str = "",
) -> Event:
    """A volunteer proposes an event they will host; it waits for an organizer.

    It lands in the team covering the ZIP code's county (the campaign's national unit when
    no team does), so the organizers there see it in their queue.
    """
    host_email = clean_contact(
        first_name=host_first_name,
        last_name=host_last_name,
        email=host_email,
        code=errors.EVENT_INVALID,
    )
    zip5 = zip5.strip()
    if not zip5:
        raise event_invalid("The ZIP code tells us which organizers to ask.", "zip5")
    fields = clean_event_fields(
        title=title,
        kind=kind,
        description=description,
        is_virtual=is_virtual,
        venue=venue,
        address=address,
        zip5=zip5,
        timezone_name=selectors.proposal_timezone(zip5),
    )
    if zip_place(zip5) is None:
        raise event_invalid(f"{zip5} is not a ZIP code we know.", "zip5")
    spec = clean_shift(
        ShiftSpec(starts_at=starts_at, ends_at=ends_at, capacity=capacity), now=timezone.now()
    )
    unit = org_unit_for_zip(zip5)
    if unit is None:
        raise errors.Conflict("This campaign has no organizing units yet.", field="zip5")
    with transaction.atomic():
        host = people_services.person_find_or_create(
            actor=actor,
            source="event proposal",
            first_name=host_first_name,
            last_name=host_last_name,
            email=host_email,
            phone=host_phone,
            zip5=zip5,
        ).person
        event = event_save_new(org_unit=unit, status=Event.Status.PROPOSED, host=host, **fields)
        _shifts_create(event, [spec])
        audit.audit_create(
            actor=actor, action="event.propose", instance=event, summary=f"proposed: {event}"
        )
    return event


def event_decide(*, actor: Actor, event_id: int, approve: bool) -> Event:
    """An organizer over the event's unit approves (publishes) or rejects a proposal."""
    if actor is not None and not actor.is_authenticated:
        raise errors.PermissionDenied("Sign in to decide on proposals.", code=errors.NOT_STAFF)
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            raise errors.NotFound("No such event.", code=errors.EVENT_NOT_FOUND)
        require_event_staff(actor, event.org_unit)
        if event.status != Event.Status.PROPOSED:
            raise errors.Conflict(
                f"This proposal was already decided ({event.get_status_display()}).",
                code=errors.PROPOSAL_DECIDED,
            )
        before = audit.snapshot(event)
        event.status = Event.Status.PUBLISHED if approve else Event.Status.REJECTED
        event.decided_by = actor if isinstance(actor, User) else None
        event.save(update_fields=["status", "decided_by", "updated_at"])
        audit.audit_update(
            actor=actor,
            action="event.approve" if approve else "event.reject",
            instance=event,
            before=before,
        )
        if approve:
            schedule_reminders(event.shifts.all())
        from groundgame.events import tasks

        transaction.on_commit(partial(tasks.event_host_notice.enqueue, event.pk), robust=True)
    return event
