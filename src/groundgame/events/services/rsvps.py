"""RSVPs: a volunteer takes a place on a shift or waits for one, cancels by their link;
staff and hosts see the roster and mark who came."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core import ratelimit
from groundgame.events import errors
from groundgame.events.models import Event, Shift, ShiftSignup
from groundgame.events.selectors import event_id_for_host_token
from groundgame.events.services.events import clean_contact, require_event_staff
from groundgame.events.services.notices import notify
from groundgame.people import services as people_services


@dataclass(frozen=True)
class RsvpResult:
    signup: ShiftSignup
    # False when the person already held an RSVP for the shift: a replay or a double click.
    created: bool


@dataclass(frozen=True)
class CancelResult:
    signup: ShiftSignup
    # Wait-listed people confirmed into the freed place, first come first served.
    promoted: list[ShiftSignup]


def _confirmed_count(shift: Shift) -> int:
    return ShiftSignup.objects.filter(shift=shift, status=ShiftSignup.Status.CONFIRMED).count()


def rsvp_wait(*, client: str) -> float:
    """Seconds an RSVP from ``client`` must wait; 0.0 to go ahead. The same allowance per
    address as sign-ups, so one script cannot fill shifts or mail people at will."""
    per_client = ratelimit.Limit(
        rate=settings.GROUNDGAME_SIGNUP_PER_CLIENT_PER_MINUTE / 60.0,
        burst=settings.GROUNDGAME_SIGNUP_CLIENT_BURST,
    )
    return ratelimit.take({f"rsvps:client:{client}": per_client})


def rsvp_create(
    *,
    actor: Actor,
    shift_id: int,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    zip5: str = "",
    source: str = "web",
) -> RsvpResult:
    """RSVP to a shift without an account: confirmed while places are left, else wait-listed.

    The shift's row is locked for the whole decision, so concurrent RSVPs queue and never
    confirm more people than its capacity (SQLite serialises writers by itself). The person
    is found or created by identity resolution, and the same person twice gets their first
    RSVP back: a retried request lands once, and the person is emailed the link to manage
    their place again.
    """
    email = clean_contact(
        first_name=first_name, last_name=last_name, email=email, code=errors.RSVP_INVALID
    )
    zip5 = zip5.strip()
    if zip5 and not re.fullmatch(r"\d{5}", zip5):
        raise errors.ValidationFailed(
            "A ZIP code is 5 digits.", code=errors.RSVP_INVALID, field="zip5"
        )
    with transaction.atomic():
        shift = Shift.objects.select_for_update().filter(pk=shift_id).first()
        if shift is None:
            raise errors.NotFound("No such shift.", code=errors.SHIFT_NOT_FOUND, field="shift")
        event = Event.objects.get(pk=shift.event_id)
        if event.status != Event.Status.PUBLISHED:
            raise errors.Conflict(
                "This event is not taking RSVPs.", code=errors.EVENT_NOT_OPEN, field="shift"
            )
        if shift.ends_at <= timezone.now():
            raise errors.Conflict(
                "This shift is already over.", code=errors.SHIFT_OVER, field="shift"
            )
        person = people_services.person_find_or_create(
            actor=actor,
            source=f"event rsvp ({source})"[:60],
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            zip5=zip5,
        ).person
        status = (
            ShiftSignup.Status.CONFIRMED
            if _confirmed_count(shift) < shift.capacity
            else ShiftSignup.Status.WAITLISTED
        )
        signup = ShiftSignup.objects.filter(shift=shift, person=person).first()
        if signup is not None and signup.status != ShiftSignup.Status.CANCELLED:
            # Whoever asked may not be the person: the way to manage the place goes to the
            # person's own email, never back to the asker (see the public API and page).
            notify([signup.pk], "already")
            return RsvpResult(signup=signup, created=False)
        if signup is not None:
            # Coming back after cancelling: the place in the queue is the time of this RSVP,
            # and the wait list is ordered by ``created_at``.
            before = audit.snapshot(signup)
            signup.status = status
            signup.created_at = timezone.now()
            signup.source = source[:60]
            signup.save()
            audit.audit_update(
                actor=actor, action="shift_signup.renew", instance=signup, before=before
            )
        else:
            signup = ShiftSignup.objects.create(
                shift=shift,
                person=person,
                status=status,
                cancel_token=secrets.token_urlsafe(32),
                source=source[:60],
            )
            audit.audit_create(actor=actor, action="shift_signup.create", instance=signup)
        notify([signup.pk], str(status))
    return RsvpResult(signup=signup, created=True)


def _promote_waitlist(actor: Actor, shift: Shift) -> list[ShiftSignup]:
    """Fill free places from the wait list in order of RSVP; the shift is locked."""
    free = shift.capacity - _confirmed_count(shift)
    if free <= 0:
        return []
    waiting = list(
        ShiftSignup.objects.filter(shift=shift, status=ShiftSignup.Status.WAITLISTED).order_by(
            "created_at", "pk"
        )[:free]
    )
    for signup in waiting:
        before = audit.snapshot(signup)
        signup.status = ShiftSignup.Status.CONFIRMED
        signup.save(update_fields=["status", "updated_at"])
        audit.audit_update(
            actor=actor, action="shift_signup.promote", instance=signup, before=before
        )
    notify([s.pk for s in waiting], "promoted")
    return waiting


def rsvp_cancel(*, actor: Actor, token: str) -> CancelResult:
    """Cancel by the secret in the link; the first person waiting takes the place.

    Cancelling twice is not an error: the second time changes nothing.
    """
    found = ShiftSignup.objects.filter(cancel_token=token.strip()).only("pk", "shift_id").first()
    if not token.strip() or found is None:
        raise errors.NotFound(
            "This cancel link is not valid. Check that you copied all of it.",
            code=errors.RSVP_NOT_FOUND,
            field="token",
        )
    with transaction.atomic():
        # The shift first, as in ``rsvp_create``, so the two never wait on each other.
        shift = Shift.objects.select_for_update().get(pk=found.shift_id)
        signup = ShiftSignup.objects.select_for_update().get(pk=found.pk)
        if signup.status == ShiftSignup.Status.CANCELLED:
            return CancelResult(signup=signup, promoted=[])
        was_confirmed = signup.status == ShiftSignup.Status.CONFIRMED
        before = audit.snapshot(signup)
        signup.status = ShiftSignup.Status.CANCELLED
        signup.save(update_fields=["status", "updated_at"])
        audit.audit_update(
            actor=actor, action="shift_signup.cancel", instance=signup, before=before
        )
        promoted = _promote_waitlist(actor, shift) if was_confirmed else []
    return CancelResult(signup=signup, promoted=promoted)


def attendance_mark(
    *, actor: Actor, signup_id: int, attendance: str, host_token: str = ""
) -> ShiftSignup:
    """Staff over the event's unit, or its volunteer host through their host link, mark who
    came."""
    if attendance not in ShiftSignup.Attendance.values:
        raise errors.ValidationFailed(
            f"Attendance is one of {', '.join(ShiftSignup.Attendance.values)}.",
            code=errors.RSVP_INVALID,
            field="attendance",
        )
    with transaction.atomic():
        signup = (
            ShiftSignup.objects.select_for_update(of=("self",))
            .select_related("shift__event__org_unit")
            .filter(pk=signup_id)
            .first()
        )
        if signup is None:
            raise errors.NotFound("No such RSVP.", code=errors.RSVP_NOT_FOUND, field="signup")
        event = signup.shift.event
        if not (host_token and event_id_for_host_token(host_token) == event.pk):
            if actor is not None and not actor.is_authenticated:
                raise errors.PermissionDenied(
                    "Only the event's host or its staff mark attendance.",
                    code=errors.EVENT_NOT_IN_SCOPE,
                )
            require_event_staff(actor, event.org_unit)
        before = audit.snapshot(signup)
        signup.attendance = attendance
        signup.save(update_fields=["attendance", "updated_at"])
        audit.audit_update(
            actor=actor, action="shift_signup.attendance", instance=signup, before=before
        )
    return signup


def event_roster_open(*, actor: Actor, event_id: int, host_token: str = "") -> list[ShiftSignup]:
    """Everyone who RSVP'd to an event, for its staff or host; the read is logged."""
    event = Event.objects.select_related("org_unit").filter(pk=event_id).first()
    if event is None:
        raise errors.NotFound("No such event.", code=errors.EVENT_NOT_FOUND)
    if not (host_token and event_id_for_host_token(host_token) == event.pk):
        if actor is not None and not actor.is_authenticated:
            raise errors.PermissionDenied(
                "Only the event's host or its staff see who is coming.",
                code=errors.EVENT_NOT_IN_SCOPE,
            )
        require_event_staff(actor, event.org_unit)
    roster = list(
        ShiftSignup.objects.filter(shift__event=event)
        .select_related("person", "shift")
        .order_by("shift__starts_at", "status", "created_at", "pk")
    )
    with transaction.atomic():
        audit.audit_read(
            actor=actor,
            entity_type="events.event",
            entity_id=event.pk,
            summary=f"roster of {event.title} ({len(roster)} RSVPs)"
            + (" by its host" if host_token and actor is None else ""),
        )
    return roster
