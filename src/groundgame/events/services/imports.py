"""Events, shifts and RSVPs from another system, created or brought up to date from its
record. The other system's ids are its importer's to keep: these take our row (or None for a
new one) and answer whether anything changed, so that importing a file twice changes nothing.
"""

from __future__ import annotations

import secrets

from django.db import transaction

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.events import errors
from groundgame.events.models import Event, Shift, ShiftSignup
from groundgame.events.services.events import (
    ShiftSpec,
    clean_event_fields,
    clean_shift,
    event_save_new,
    require_event_staff,
)
from groundgame.organizing.selectors import OrgUnit, org_unit_timezone


def event_import(
    *,
    actor: Actor,
    event_id: int | None,
    org_unit: OrgUnit,
    title: str,
    kind: str,
    description: str,
    timezone_name: str,
    is_virtual: bool,
    venue: str,
    address: str,
    zip5: str,
    latitude: float | None,
    longitude: float | None,
) -> tuple[Event, bool]:
    """Create a published event (``event_id`` None) or update the one imported before; an
    empty ``timezone_name`` takes the zone of the unit's area.

    Returns the event and whether anything changed. Past events import too (their history
    is the point).
    """
    require_event_staff(actor, org_unit)
    fields = clean_event_fields(
        title=title,
        kind=kind,
        description=description,
        is_virtual=is_virtual,
        venue=venue,
        address=address,
        zip5=zip5,
        timezone_name=timezone_name or org_unit_timezone(org_unit),
        latitude=latitude,
        longitude=longitude,
    )
    with transaction.atomic():
        event = (
            Event.objects.select_for_update().filter(pk=event_id).first()
            if event_id is not None
            else None
        )
        if event is not None:
            # The event's own unit, which an import never changes, decides who may update it.
            require_event_staff(actor, event.org_unit)
        if event is None:
            event = event_save_new(org_unit=org_unit, status=Event.Status.PUBLISHED, **fields)
            audit.audit_create(actor=actor, action="event.import", instance=event)
            return event, True
        if all(getattr(event, k) == v for k, v in fields.items()):
            return event, False
        before = audit.snapshot(event)
        for name, value in fields.items():
            setattr(event, name, value)
        event.save()
        audit.audit_update(actor=actor, action="event.import", instance=event, before=before)
    return event, True


def shift_import(
    *, actor: Actor, event: Event, shift_id: int | None, spec: ShiftSpec
) -> tuple[Shift, bool]:
    """Create a shift of ``event`` (``shift_id`` None) or move the one imported before to the
    record's times; returns it and whether anything changed. Capacity is not the other
    system's to say, so a new shift gets the default."""
    require_event_staff(actor, event.org_unit)
    spec = clean_shift(spec)
    with transaction.atomic():
        shift = Shift.objects.filter(pk=shift_id).first() if shift_id is not None else None
        if shift is None:
            shift = Shift.objects.create(
                event=event, starts_at=spec.starts_at, ends_at=spec.ends_at
            )
            audit.audit_create(actor=actor, action="shift.import", instance=shift)
            return shift, True
        if shift.event_id != event.pk:
            raise errors.Conflict(
                "This shift belongs to another event.", code=errors.SHIFT_INVALID, field="shift"
            )
        if (shift.starts_at, shift.ends_at) == (spec.starts_at, spec.ends_at):
            return shift, False
        before = audit.snapshot(shift)
        shift.starts_at, shift.ends_at = spec.starts_at, spec.ends_at
        shift.save(update_fields=["starts_at", "ends_at"])
        audit.audit_update(actor=actor, action="shift.import", instance=shift, before=before)
    return shift, True


def rsvp_import(
    *,
    actor: Actor,
    signup_id: int | None,
    shift: Shift,
    person_id: int,
    status: str,
    attendance: str,
    source: str,
) -> tuple[ShiftSignup, bool]:
    """Create or update an RSVP as the other system has it; returns it and whether anything
    changed. Without ``signup_id`` the person's RSVP to the shift, if any, is the one.

    The other system already decided who got a place, so capacity is not applied here.
    """
    if status not in ShiftSignup.Status.values:
        raise errors.ValidationFailed(
            f"Unknown RSVP status {status!r}.", code=errors.RSVP_INVALID, field="status"
        )
    if attendance not in ShiftSignup.Attendance.values:
        raise errors.ValidationFailed(
            f"Unknown attendance {attendance!r}.", code=errors.RSVP_INVALID, field="attended"
        )
    require_event_staff(actor, shift.event.org_unit)
    with transaction.atomic():
        Shift.objects.select_for_update().filter(pk=shift.pk).first()
        signup = (
            ShiftSignup.objects.filter(pk=signup_id).first() if signup_id is not None else None
        ) or ShiftSignup.objects.filter(shift=shift, person_id=person_id).first()
        if signup is None:
            signup = ShiftSignup.objects.create(
                shift=shift,
                person_id=person_id,
                status=status,
                attendance=attendance,
                cancel_token=secrets.token_urlsafe(32),
                source=source[:60],
            )
            audit.audit_create(actor=actor, action="shift_signup.import", instance=signup)
            return signup, True
        if signup.shift_id != shift.pk:
            raise errors.Conflict(
                "This RSVP was imported for another shift.",
                code=errors.RSVP_INVALID,
                field="timeslot",
            )
        wanted = {"status": status, "attendance": attendance, "person_id": person_id}
        if all(getattr(signup, k) == v for k, v in wanted.items()):
            return signup, False
        before = audit.snapshot(signup)
        for name, value in wanted.items():
            setattr(signup, name, value)
        signup.save()
        audit.audit_update(
            actor=actor, action="shift_signup.import", instance=signup, before=before
        )
    return signup, True
