"""The follow-up queue: organizers record each call to a new volunteer, with its outcome,
and the queue brings the volunteer back when the next call is due."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.events import selectors as events_selectors
from groundgame.organizing.selectors import staff_scope
from groundgame.volunteers import errors, selectors
from groundgame.volunteers.models import FollowUp, FollowUpAttempt

Outcome = FollowUp.Outcome

# Outcomes that settle the follow-up: the entry closes (and can be reopened).
FINAL_OUTCOMES = frozenset(
    {Outcome.REACHED, Outcome.WRONG_NUMBER, Outcome.NOT_INTERESTED, Outcome.SCHEDULED}
)

# After a message is left, the next call is suggested this much later.
CALL_BACK_AFTER = dt.timedelta(days=2)

NOTE_MAX = 500


def call_back_suggestion(now: dt.datetime | None = None) -> dt.datetime:
    """When to call again after leaving a message, to the minute."""
    return ((now or timezone.now()) + CALL_BACK_AFTER).replace(second=0, microsecond=0)


def _invalid(message: str, field: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(message, code=errors.FOLLOW_UP_ATTEMPT_INVALID, field=field)


def _follow_up_in_scope(actor: Actor, follow_up_id: int) -> FollowUp:
    """The follow-up, locked, if the staff member's units cover it; else not found, so that
    the queue does not reveal who signed up elsewhere."""
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("org_unit", "person")
        .filter(pk=follow_up_id)
        .first()
    )
    if follow_up is None or not staff_scope(actor).covers(follow_up.org_unit.path):
        raise errors.NotFound("No such volunteer in your queue.", code=errors.FOLLOW_UP_NOT_FOUND)
    return follow_up


def _shift_checked(actor: Actor, shift_id: int, now: dt.datetime) -> int:
    shift = events_selectors.shift_get(shift_id)
    if (
        shift is None
        or shift.event.status != "published"
        or not staff_scope(actor).covers(shift.event.org_unit.path)
    ):
        raise _invalid("No such shift open for RSVPs in your units.", "shift")
    if shift.ends_at <= now:
        raise _invalid("That shift is already over; choose one still to come.", "shift")
    return shift.pk


def follow_up_attempt_record(
    *,
    actor: Actor,
    follow_up_id: int,
    outcome: str,
    note: str = "",
    next_attempt_at: dt.datetime | None = None,
    shift_id: int | None = None,
    calls_seen: int | None = None,
    now: dt.datetime | None = None,
) -> FollowUpAttempt:
    """Record one call to a volunteer in the queue; only staff whose units cover theirs may.

    A final outcome (reached, wrong number, not interested, scheduled) closes the entry. After
    a message is left the entry waits until ``next_attempt_at`` (two days later unless given)
    and is then due again. "Scheduled" may name the shift agreed to, of an event in the staff
    member's units that is still to come.

    ``calls_seen`` is how many calls the caller saw on the entry: when another was recorded
    since (a second click, or a colleague on the same volunteer), the call is refused rather
    than recorded twice.
    """
    now = now or timezone.now()
    if outcome not in Outcome.values:
        choices = ", ".join(Outcome.values)
        raise _invalid(f"The outcome must be one of: {choices}.", "outcome")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise _invalid(f"A note is at most {NOTE_MAX} characters ({len(note)} given).", "note")
    if "\x00" in note:
        raise _invalid("The note holds a character that cannot be stored (NUL).", "note")
    final = outcome in FINAL_OUTCOMES
    if final and next_attempt_at is not None:
        raise _invalid(
            "This outcome closes the entry, so no next call is scheduled.", "next_attempt_at"
        )
    if next_attempt_at is not None:
        if timezone.is_naive(next_attempt_at):
            raise _invalid("The next call needs a time zone.", "next_attempt_at")
        if next_attempt_at <= now:
            raise _invalid("The next call must be later than now.", "next_attempt_at")
    if shift_id is not None and outcome != Outcome.SCHEDULED:
        raise _invalid("A shift goes only with the outcome “scheduled a shift”.", "shift")
    with transaction.atomic():
        follow_up = _follow_up_in_scope(actor, follow_up_id)
        if follow_up.closed_at is not None:
            raise errors.Conflict(
                f"{follow_up.person.full_name}'s entry is closed; reopen it to record a call.",
                code=errors.FOLLOW_UP_CLOSED,
            )
        if calls_seen is not None and follow_up.attempts.count() != calls_seen:
            raise errors.Conflict(
                f"A call to {follow_up.person.full_name} was recorded since you opened the "
                "queue; look at it before recording another.",
                code=errors.FOLLOW_UP_CHANGED,
            )
        if shift_id is not None:
            shift_id = _shift_checked(actor, shift_id, now)
        if not final and next_attempt_at is None:
            next_attempt_at = call_back_suggestion(now)
        attempt = FollowUpAttempt.objects.create(
            follow_up=follow_up,
            made_at=now,
            made_by=actor if isinstance(actor, User) else None,
            outcome=outcome,
            note=note,
            shift_id=shift_id,
            next_attempt_at=next_attempt_at,
        )
        audit.audit_create(actor=actor, action="follow_up.attempt", instance=attempt)
        before = audit.snapshot(follow_up)
        follow_up.first_attempt_at = follow_up.first_attempt_at or now
        follow_up.outcome = outcome
        follow_up.next_attempt_at = next_attempt_at
        follow_up.closed_at = now if final else None
        follow_up.save()
        audit.audit_update(
            actor=actor,
            action="follow_up.close" if final else "follow_up.call_back",
            instance=follow_up,
            before=before,
        )
    return attempt


def follow_up_queue_open(
    *, actor: Actor, show: str, now: dt.datetime | None = None, limit: int = 50
) -> list[FollowUp]:
    """A part of the queue for a staff member, with each volunteer's phone and email: logged
    as a read of each person shown, as opening their page is."""
    follow_ups = list(
        selectors.follow_up_queue(scope=staff_scope(actor), show=show, now=now, limit=limit)
    )
    if not follow_ups:
        return follow_ups
    with transaction.atomic():
        audit.audit_read_many(
            actor=actor,
            entity_type="people.person",
            reads=[
                (f.person_id, f"{f.person.full_name}, in the follow-up queue") for f in follow_ups
            ],
        )
    return follow_ups


def follow_up_reopen(
    *, actor: Actor, follow_up_id: int, now: dt.datetime | None = None
) -> FollowUp:
    """Put a closed entry back in the queue, due now; its attempts stay as they were."""
    now = now or timezone.now()
    with transaction.atomic():
        follow_up = _follow_up_in_scope(actor, follow_up_id)
        if follow_up.closed_at is None:
            raise errors.Conflict(
                f"{follow_up.person.full_name}'s entry is already open.",
                code=errors.FOLLOW_UP_OPEN,
            )
        if FollowUp.objects.filter(
            person_id=follow_up.person_id, org_unit_id=follow_up.org_unit_id, closed_at__isnull=True
        ).exists():
            raise errors.Conflict(
                f"{follow_up.person.full_name} already has an open entry in "
                f"{follow_up.org_unit.name} (from a later sign-up); record calls there.",
                code=errors.FOLLOW_UP_OPEN,
            )
        before = audit.snapshot(follow_up)
        follow_up.closed_at = None
        follow_up.next_attempt_at = now
        follow_up.save()
        audit.audit_update(
            actor=actor, action="follow_up.reopen", instance=follow_up, before=before
        )
    return follow_up
