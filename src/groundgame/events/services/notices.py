"""What events tell volunteers by email: reminders a day ahead, what happened to their RSVP,
and a host's answer to their proposal; and the tasks that send them after commit."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.events.models import Event, Shift, ShiftSignup
from groundgame.events.selectors import event_host_token
from groundgame.messaging import services as messaging_services

# Confirmed volunteers get their reminder this long before their shift starts.
REMINDER_LEAD = dt.timedelta(hours=24)


def schedule_reminders(shifts: Iterable[Shift]) -> None:
    """After commit, one deferred task per shift sends its reminders 24 hours ahead.

    Shifts starting sooner get none: their volunteers signed up recently and have their
    confirmation. A backend that cannot defer (the immediate one) would send at once, so it
    schedules nothing.
    """
    from groundgame.events import tasks

    now = timezone.now()
    backend = tasks.shift_reminders.get_backend()
    for shift in shifts:
        run_after = shift.starts_at - REMINDER_LEAD
        if run_after <= now or not backend.supports_defer:
            continue
        transaction.on_commit(
            partial(tasks.shift_reminders.using(run_after=run_after).enqueue, shift.pk),
            robust=True,
        )


def notify(signup_ids: Iterable[int], notice: str) -> None:
    from groundgame.events import tasks

    for signup_id in signup_ids:
        transaction.on_commit(partial(tasks.rsvp_notice.enqueue, signup_id, notice), robust=True)


def shift_reminders_send(*, shift_id: int) -> int:
    """Email a reminder to each confirmed volunteer of a shift not reminded yet.

    Idempotent: each RSVP is locked, mailed and stamped in one transaction, so a rerun (or a
    second worker) skips whoever was reminded. Returns how many reminders went out.
    """
    shift = Shift.objects.select_related("event").filter(pk=shift_id).first()
    if shift is None or shift.event.status != Event.Status.PUBLISHED:
        return 0
    now = timezone.now()
    # A shift moved later since its task was scheduled is reminded by its new task.
    if shift.starts_at <= now or shift.starts_at - now > REMINDER_LEAD + dt.timedelta(hours=1):
        return 0
    due = ShiftSignup.objects.filter(
        shift=shift, status=ShiftSignup.Status.CONFIRMED, reminded_at__isnull=True
    ).exclude(person__email="")
    sent = 0
    for signup_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            signup = (
                ShiftSignup.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("person", "shift__event")
                .filter(pk=signup_id, reminded_at__isnull=True)
                .first()
            )
            if signup is None:
                continue
            _rsvp_email(signup, "reminder")
            signup.reminded_at = timezone.now()
            signup.save(update_fields=["reminded_at", "updated_at"])
            audit.audit_record(
                actor=None,
                kind=audit.Kind.UPDATE,
                action="shift_signup.remind",
                entity_type="events.shiftsignup",
                entity_id=signup.pk,
                summary=f"reminder for shift {shift.pk}",
            )
            sent += 1
    return sent


def rsvp_notice_send(*, signup_id: int, notice: str) -> bool:
    """The email that tells a volunteer what just happened to their RSVP."""
    signup = (
        ShiftSignup.objects.select_related("person", "shift__event").filter(pk=signup_id).first()
    )
    if signup is None or not signup.person.email:
        return False
    _rsvp_email(signup, notice)
    return True


def event_host_notice_send(*, event_id: int) -> bool:
    """Tell a volunteer host whether their proposal was approved, with their host link."""
    event = Event.objects.select_related("host").filter(pk=event_id).first()
    if event is None or event.host is None or not event.host.email:
        return False
    base = settings.GROUNDGAME_PUBLIC_URL.rstrip("/")
    if event.status == Event.Status.PUBLISHED:
        subject = f"Approved: {event.title}"
        body = (
            f"Hi {event.host.first_name},\n\nYour event is live: "
            f"{base}{reverse('events:detail', args=[event.slug])}\n\n"
            "See who is coming and mark who came with your host link (keep it private):\n"
            f"{base}{reverse('events:host', args=[event_host_token(event.pk)])}\n"
        )
    else:
        subject = f"About your proposed event: {event.title}"
        body = (
            f"Hi {event.host.first_name},\n\nThank you for offering to host. The organizers "
            "could not take this event on; they will be in touch about other ways to help.\n"
        )
    _email_person(
        person_id=event.host.pk,
        subject=subject,
        body=body,
        key=f"event_host_notice:{event.pk}:{event.status}",
    )
    return True


def _rsvp_email(signup: ShiftSignup, notice: str) -> None:
    event, shift = signup.shift.event, signup.shift
    when = timezone.localtime(shift.starts_at, zoneinfo.ZoneInfo(event.timezone))
    place = ", ".join(p for p in (event.venue, event.address) if p)
    where = "Online" if event.is_virtual else place
    base = settings.GROUNDGAME_PUBLIC_URL.rstrip("/")
    cancel = f"{base}{reverse('events:cancel', args=[signup.cancel_token])}"
    subject, opening = {
        "confirmed": (f"You're in: {event.title}", "your place is confirmed."),
        "waitlisted": (
            f"Wait list: {event.title}",
            "this shift is full, so you are on the wait list. If a place opens, it is yours "
            "and we will email you.",
        ),
        "promoted": (f"A place opened: {event.title}", "a place opened and it is yours."),
        "already": (
            f"You're on the list: {event.title}",
            "you already have your place for this shift (or a place on its wait list); "
            "someone asked for it again, so here are its details.",
        ),
        "reminder": (f"Tomorrow: {event.title}", "a reminder that you are expected."),
        "event_cancelled": (
            f"Cancelled: {event.title}",
            "this event has been cancelled. Sorry, and thank you.",
        ),
    }[notice]
    body = (
        f"Hi {signup.person.first_name},\n\n{event.title}: {opening}\n\n"
        f"When: {when:%A %B} {when.day}, {when:%-I:%M %p} {when.tzname()} ({event.timezone})\n"
        f"Where: {where or 'to be announced'}\n"
    )
    if notice != "event_cancelled":
        body += f"\nCan't make it? Cancel here so someone else can come:\n{cancel}\n"
    # The same RSVP may be confirmed again after a cancellation: its last change is in the key.
    changed = f"{signup.updated_at.timestamp():.6f}"
    _email_person(
        person_id=signup.person_id,
        subject=subject,
        body=body,
        key=f"rsvp:{signup.pk}:{notice}:{changed}",
    )


def _email_person(*, person_id: int, subject: str, body: str, key: str) -> None:
    """A transactional email through the messaging outbox: the consent rule decides at send
    time, and ``key`` makes a retried task send it once."""
    messaging_services.message_send(
        person_id=person_id,
        channel="email",
        topic_key="transactional",
        subject=subject,
        body=body,
        dedupe_key=key,
    )
