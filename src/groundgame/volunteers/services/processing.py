"""Finishing sign-ups in a worker: the flag that keeps one processing task queued, the
batches that resolve each person and place them on a team with a follow-up, the sweep, and
the confirmation with its share link."""

from __future__ import annotations

import datetime as dt
import functools
import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.consent import services as consent_services
from groundgame.core.errors import ApplicationError
from groundgame.core.shared_cache import redis_client
from groundgame.messaging import services as messaging_services
from groundgame.organizing import selectors as organizing_selectors
from groundgame.organizing.selectors import OrgUnit
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people_services
from groundgame.volunteers import signups
from groundgame.volunteers.models import FollowUp, Membership, SignupForm, SignupSubmission

# One processing task is enough for any number of sign-ups: while the flag is up, a task is
# queued or draining, and new sign-ups add no job. It expires by itself if a worker dies.
_PROCESSING_FLAG = "signups:processing"


_PROCESSING_FLAG_SECONDS = 10


SIGNUP_BATCH = 200


# A batch given a moment older than this was finished in the past (see signup_pending_process).
_PAST = dt.timedelta(minutes=1)


# Under a surge a web process commits hundreds of sign-ups a second, and asking the cache
# about the flag after each would cost more than the sign-up. After a look that found the flag
# up (or raised it), this process's sign-ups skip the look for FLAG_FRESH_SECONDS. That is
# safe because a drain, after taking the flag down, waits LAST_LOOK_AFTER_SECONDS (longer)
# before its last look for pending rows: a sign-up that skipped committed less than
# FLAG_FRESH_SECONDS after a look that came before the flag went down, so before that last
# look, which therefore sees it.
FLAG_FRESH_SECONDS = 0.05


LAST_LOOK_AFTER_SECONDS = 2 * FLAG_FRESH_SECONDS


_flag_seen_at = -math.inf  # monotonic time of this process's last look that found it up


def signup_processing_schedule() -> None:
    """Make sure a worker will process the pending sign-ups: nothing if this process saw the
    flag up a moment ago, one cache round trip when a task is on its way, else an enqueue."""
    global _flag_seen_at
    # Read before the look is sent: the window runs from before the flag was seen up.
    looked_at = time.monotonic()
    if looked_at - _flag_seen_at < FLAG_FRESH_SECONDS:
        return
    if _processing_flag_raise():
        from groundgame.volunteers import tasks

        tasks.signup_pending_process.enqueue()
    _flag_seen_at = looked_at


@receiver(setting_changed)
def _caches_changed(*, setting: str, **kwargs: Any) -> None:
    # A new shared cache (a test's own) holds no flag: the next sign-up looks.
    global _flag_seen_at
    if setting == "CACHES":
        _flag_seen_at = -math.inf


def _processing_flag_raise() -> bool:
    """Raise the flag; True if it was down. Every sign-up asks, so on Redis this skips the
    cache API's per-call cost (the value is what ``cache.add`` would store: ints are raw)."""
    client = redis_client()
    if client is None:
        return cache.add(_PROCESSING_FLAG, 1, timeout=_PROCESSING_FLAG_SECONDS)
    key = cache.make_key(_PROCESSING_FLAG)
    return bool(client.set(key, 1, nx=True, ex=_PROCESSING_FLAG_SECONDS))


def signup_pending_drain(*, batch: int = SIGNUP_BATCH) -> int:
    """Process pending sign-ups batch after batch until none is left; returns how many.

    The flag comes down before the last look, so a sign-up committed after that look finds
    it down and schedules a new task, and one committed before it is seen here. The last
    look waits ``LAST_LOOK_AFTER_SECONDS`` for the sign-ups whose process skipped asking
    (``signup_processing_schedule``).
    """
    done = 0
    while True:
        n = signup_pending_process(batch=batch)
        done += n
        if n:
            continue
        cache.delete(_PROCESSING_FLAG)
        time.sleep(LAST_LOOK_AFTER_SECONDS)
        if not SignupSubmission.objects.filter(processed_at__isnull=True).exists():
            return done
        cache.add(_PROCESSING_FLAG, 1, timeout=_PROCESSING_FLAG_SECONDS)


def signup_pending_sweep(*, older_than: dt.timedelta = dt.timedelta(seconds=30)) -> bool:
    """Schedule processing if a sign-up has waited longer than ``older_than``: after a crash
    between a commit and its schedule, or a worker that died mid-batch. True if it did."""
    stale = SignupSubmission.objects.filter(
        processed_at__isnull=True, created_at__lt=timezone.now() - older_than
    ).exists()
    if stale:
        cache.delete(_PROCESSING_FLAG)
        signup_processing_schedule()
    return stale


def signup_pending_process(*, batch: int = SIGNUP_BATCH, now: dt.datetime | None = None) -> int:
    """Finish up to ``batch`` pending sign-ups, oldest first, in one transaction: resolve each
    person, place them in the team covering their ZIP, add a membership and an open follow-up,
    record the referral and an audit row; confirmation emails go out once committed.

    Rows another worker holds are skipped (PostgreSQL), so workers can run side by side.
    A row whose person cannot be created is marked with its error instead of blocking the
    queue. Returns how many rows were finished. ``now`` is the moment of a batch finished in
    the past (history brought in later, as the demo's is): its follow-ups wait from then.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            SignupSubmission.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(processed_at__isnull=True)
            .select_related("form", "form__org_unit")
            .order_by("pk")[:batch]
        )
        if not rows:
            return 0
        # A referral link made at sign-up names the recruiter's submission; earlier rows of
        # this batch are finished first, so their people are known by the time they are asked.
        people_of: dict[int, int] = {}
        confirmed: list[int] = []
        for row in rows:
            try:
                with transaction.atomic():
                    _signup_finish(row, people_of, now)
            except ApplicationError as exc:
                row.error = exc.message[:300]
                row.processed_at = now
                row.save(update_fields=["error", "processed_at"])
                audit.audit_record(
                    actor=None,
                    kind=audit.Kind.UPDATE,
                    action="signup.failed",
                    entity_type="volunteers.signupsubmission",
                    entity_id=row.pk,
                    summary=f"{row.form.slug}: {row.error}",
                )
                continue
            confirmed.append(row.pk)
        transaction.on_commit(functools.partial(_enqueue_confirmations, confirmed), robust=True)
    return len(rows)


def _signup_finish(row: SignupSubmission, people_of: dict[int, int], now: dt.datetime) -> None:
    form = row.form
    fields: dict[str, str] = row.payload.get("person", {})
    found = people_services.person_find_or_create(
        actor=None,
        source=f"signup:{form.slug}"[:60],
        first_name=fields.get("first_name", ""),
        last_name=fields.get("last_name", ""),
        email=fields.get("email", ""),
        phone=fields.get("phone", ""),
        street=fields.get("street", ""),
        zip5=fields.get("zip5", ""),
    )
    person = found.person
    if row.consents and person.email:
        # The boxes the volunteer ticked become their email subscriptions, with the form as
        # the source; an unticked box leaves any earlier choice as it was.
        consent_services.subscription_join(
            person_id=person.pk,
            channel="email",
            topic_keys=row.consents,
            source=f"signup_form:{form.pk}",
        )
    unit = _unit_for_signup(form, person.org_unit_id, fields.get("zip5", ""))
    if person.org_unit_id is None:
        people_services.person_place(actor=None, person_id=person.pk, org_unit_id=unit.pk)
    referred_by = _referrer(row.payload.get("ref", ""), people_of)
    row.person = person
    row.org_unit = unit
    row.referred_by_id = referred_by if referred_by != person.pk else None
    row.processed_at = now
    row.save(update_fields=["person", "org_unit", "referred_by", "processed_at"])
    people_of[row.pk] = person.pk
    Membership.objects.get_or_create(person=person, org_unit=unit, defaults={"source": row.source})
    if not FollowUp.objects.filter(person=person, org_unit=unit, closed_at__isnull=True).exists():
        follow_up = FollowUp.objects.create(
            person=person, org_unit=unit, source=row.source, submission=row
        )
        if now < follow_up.created_at - _PAST:
            # A batch of the past: the volunteer has waited since then (the queue is oldest
            # first). The creation time is set on insert, so it is moved back after it.
            FollowUp.objects.filter(pk=follow_up.pk).update(created_at=now, updated_at=now)
    client = row.payload.get("client", "")
    audit.audit_record(
        actor=None,
        kind=audit.Kind.CREATE,
        action="signup.submit",
        entity_type="volunteers.signupsubmission",
        entity_id=row.pk,
        summary=f"{form.slug}: person {person.pk} to {unit.name}"
        + (f" from {client}" if client else ""),
    )


def _referrer(code: str, people_of: dict[int, int]) -> int | None:
    """The person a referral code credits, if it is genuine and they exist."""
    target = signups.referral_target(code) if code else None
    if target is None:
        return None
    kind, pk = target
    if kind == "submission":
        person_id = people_of.get(pk) or (
            SignupSubmission.objects.filter(pk=pk).values_list("person_id", flat=True).first()
        )
        return person_id or None
    return pk if people_selectors.person_exists(pk) else None


def _enqueue_confirmations(submission_ids: list[int]) -> None:
    if not submission_ids:
        return
    from groundgame.volunteers import tasks

    tasks.signup_confirmations_send.enqueue(submission_ids)


def _unit_for_signup(form: SignupForm, person_unit_id: int | None, zip5: str) -> OrgUnit:
    """The team covering the volunteer's county, else the form's own unit."""
    county = signups.county_for_zip(zip5) if zip5 else ""
    if county:
        team = organizing_selectors.org_unit_for_county(county)
        if team is not None:
            return team
    if person_unit_id is not None:
        known = organizing_selectors.org_unit_get(person_unit_id)
        if known is not None:
            return known
    return form.org_unit


def signup_confirmation_send(*, submission_id: int) -> bool:
    """Queue the volunteer's confirmation and share link in the messaging outbox; False if
    there is no address.

    Runs in a worker after the sign-up committed, so a slow mail server never holds up a
    sign-up and a rolled-back sign-up is never confirmed. The outbox sends it once, however
    often this runs, and only if the consent rule allows (a confirmation is transactional:
    no subscription needed, but never past a do-not-contact or a bounced address).
    """
    submission = (
        SignupSubmission.objects.select_related("form", "org_unit", "person")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None or submission.person is None or not submission.person.email:
        return False
    person = submission.person
    form = submission.form
    unit_name = submission.org_unit.name if submission.org_unit else form.org_unit.name
    site = settings.GROUNDGAME_PUBLIC_URL.rstrip("/")
    share = f"{site}{signup_share_path(form, person_id=person.pk)}"
    body = (
        f"Hi {person.first_name},\n\n"
        f"Thank you for signing up: {form.title}.\n"
        f"An organizer with {unit_name} will be in touch soon.\n\n"
        f"{form.thank_you + chr(10) + chr(10) if form.thank_you else ''}"
        f"Bring a friend: share your link\n{share}\n"
    )
    # A transactional email through the messaging outbox: the consent rule decides at send
    # time, and the key makes a retried task send it once.
    messaging_services.message_send(
        person_id=person.pk,
        channel="email",
        topic_key="transactional",
        subject=f"You're signed up: {form.title}",
        body=body,
        dedupe_key=f"signup_confirmation:{submission.pk}",
    )
    with transaction.atomic():
        audit.audit_record(
            actor=None,
            kind=audit.Kind.CREATE,
            action="signup.confirmation_sent",
            entity_type="volunteers.signupsubmission",
            entity_id=submission.pk,
            summary=f"confirmation emailed for {form.slug}",
        )
    return True


def signup_share_path(
    form: SignupForm, *, person_id: int | None = None, submission_id: int | None = None
) -> str:
    """A volunteer's share link to a form: whoever signs up through it was recruited by them.

    Right after signing up the volunteer is known only by their submission (the worker has
    not resolved the person yet); a link naming it credits the person it becomes.
    """
    if person_id is not None:
        code = signups.referral_code(person_id)
    elif submission_id is not None:
        code = signups.referral_code(submission_id, kind="submission")
    else:
        raise ValueError("a share link needs a person or a submission")
    return f"/f/{form.slug}/?ref={code}"
