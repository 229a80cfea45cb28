"""Reads of the volunteers app: sign-up forms (the public ones through the shared cache), the
follow-up queue, the live sign-up numbers, and who is on which team."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Case, Count, Prefetch, Q, QuerySet, When
from django.db.models.functions import Coalesce, TruncMinute
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from groundgame.organizing.selectors import StaffScope
from groundgame.volunteers import signups
from groundgame.volunteers.models import (
    FollowUp,
    FollowUpAttempt,
    Membership,
    SignupForm,
    SignupSubmission,
)


def person_is_volunteer(person_id: int) -> bool:
    """Whether the person is on a team or has signed up on a form (processed or not)."""
    return (
        Membership.objects.filter(person_id=person_id).exists()
        or SignupSubmission.objects.filter(person_id=person_id).exists()
    )


def donation_ask_url(*, values: dict[str, str], donation: str) -> str:
    """The link of the "volunteer now" ask after a donation: the latest published form,
    filled in with the donor's details, recording ``donation`` as the sign-up's source."""
    token = signups.prefill_token({**values, signups.PREFILL_DONATION: donation})
    site = settings.GROUNDGAME_PUBLIC_URL.rstrip("/")
    return f"{site}{reverse('donation_thanks')}?{urlencode({'t': token})}"


def membership_count() -> int:
    return Membership.objects.count()


def membership_count_by_unit_path(prefix: str) -> dict[str, int]:
    """Volunteers on each unit under the path prefix, by unit path, from one grouped query
    (what the organizing tree counts)."""
    return dict(
        Membership.objects.filter(org_unit__path__startswith=prefix)
        .values_list("org_unit__path")
        .annotate(n=Count("id"))
        .order_by()
    )


def membership_list_for_person(person_id: int) -> list[Membership]:
    """A person's teams, for their page."""
    return list(Membership.objects.filter(person_id=person_id).select_related("org_unit"))


def unit_volunteers(*, unit_path: str, limit: int = 500) -> list[tuple[int, str]]:
    """(person id, name) of the volunteers of a unit and the units under it, by name."""
    rows = (
        Membership.objects.filter(
            org_unit__path__startswith=unit_path, person__merged_into__isnull=True
        )
        .order_by("person__last_name", "person__first_name", "person_id")
        .values_list("person_id", "person__first_name", "person__last_name")
        .distinct()[:limit]
    )
    return [(pk, f"{first} {last}".strip()) for pk, first, last in rows]


def signup_form_list(*, scope: StaffScope) -> QuerySet[SignupForm]:
    """Forms of the units this scope covers, newest first, with their sign-up counts."""
    return (
        SignupForm.objects.filter(scope.person_filter())
        .select_related("org_unit")
        .annotate(n_signups=Count("submissions"))
        .order_by("-created_at")
    )


def signup_form_get(*, scope: StaffScope, form_id: int) -> SignupForm | None:
    return signup_form_list(scope=scope).filter(pk=form_id).first()


# Every public sign-up asks for its form: kept in the shared cache, dropped by the services
# that change a form once they commit. The time limit bounds the one race left (a request
# that read the form just before a change commits and stores it just after).
_FORM_CACHE_SECONDS = 30


# In front of the shared cache each process keeps the forms it read for a moment: a surge
# asks for one form thousands of times a second, and a cache round trip and an unpickled
# model for each is a good part of what a sign-up costs. A change is seen at once by the
# process that made it and within these seconds by the others.
_FORM_LOCAL_SECONDS = 2.0


_FORM_LOCAL_MAX = 1000


_form_local: dict[str, tuple[float, SignupForm | None]] = {}


def signup_form_cache_key(slug: str) -> str:
    return f"signup_form:public:{slug}"


def signup_form_public(slug: str) -> SignupForm | None:
    """A form by its address, published or not (a closed form's page says it is closed).

    The form is shared between the threads of a process: read it, never change it.
    """
    now = time.monotonic()
    local = _form_local.get(slug)
    if local is not None and local[0] > now:
        return local[1]
    key = signup_form_cache_key(slug)
    cached = cache.get(key)
    if cached is None:
        form = SignupForm.objects.filter(slug=slug).exclude(status=SignupForm.Status.DRAFT).first()
        # False stands for "no public form here", so that unknown addresses are cached too.
        cache.set(key, form or False, timeout=_FORM_CACHE_SECONDS)
    else:
        form = cached or None
    if len(_form_local) >= _FORM_LOCAL_MAX:
        # Unknown addresses are remembered too; a scan of made-up ones must not grow this.
        _form_local.clear()
    _form_local[slug] = (now + _FORM_LOCAL_SECONDS, form)
    return form


def signup_form_forget(slug: str) -> None:
    """Drop a form from the caches after a change to it committed."""
    _form_local.pop(slug, None)
    cache.delete(signup_form_cache_key(slug))


@receiver(setting_changed)
def _caches_changed(*, setting: str, **kwargs: Any) -> None:
    # What this process remembers came from the cache that was configured before.
    if setting == "CACHES":
        _form_local.clear()


def signup_form_latest_published() -> SignupForm | None:
    return (
        SignupForm.objects.filter(status=SignupForm.Status.PUBLISHED)
        .order_by("-published_at", "-pk")
        .first()
    )


def signup_submission_count(form_id: int | None = None) -> int:
    rows = SignupSubmission.objects.all()
    return (rows.filter(form_id=form_id) if form_id else rows).count()


class QueueShow(models.TextChoices):
    """Which part of the follow-up queue a page shows."""

    DUE = "due", "Due now"
    LATER = "later", "Call back later"
    CLOSED = "closed", "Closed"


def _follow_ups(scope: StaffScope) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(scope.person_filter())


def _due(now: dt.datetime) -> Q:
    return Q(closed_at__isnull=True) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def follow_up_queue(
    *,
    scope: StaffScope,
    show: str = QueueShow.DUE,
    now: dt.datetime | None = None,
    limit: int = 200,
) -> QuerySet[FollowUp]:
    """Follow-ups in the units of this scope, with their sign-up, form and attempts.

    Due now (the default): those never called first, oldest sign-up first, then those whose
    next call is due, longest due first. Later: open ones whose next call is ahead, soonest
    first. Closed: the latest closed first.
    """
    now = now or timezone.now()
    rows = _follow_ups(scope)
    if show == QueueShow.LATER:
        rows = rows.filter(closed_at__isnull=True, next_attempt_at__gt=now).order_by(
            "next_attempt_at", "pk"
        )
    elif show == QueueShow.CLOSED:
        rows = rows.filter(closed_at__isnull=False).order_by("-closed_at", "-pk")
    else:
        never_called = Case(When(first_attempt_at__isnull=True, then=0), default=1)
        rows = rows.filter(_due(now)).order_by(
            never_called, Coalesce("next_attempt_at", "created_at"), "created_at", "pk"
        )
    attempts = FollowUpAttempt.objects.select_related("made_by", "shift__event").order_by(
        "made_at", "pk"
    )
    return rows.select_related("person", "org_unit", "submission__form").prefetch_related(
        Prefetch("attempts", queryset=attempts)
    )[:limit]


def follow_up_counts(*, scope: StaffScope, now: dt.datetime | None = None) -> dict[str, int]:
    """How many follow-ups each part of the queue holds, in one query."""
    now = now or timezone.now()
    return _follow_ups(scope).aggregate(
        due=Count("pk", filter=_due(now)),
        later=Count("pk", filter=Q(closed_at__isnull=True, next_attempt_at__gt=now)),
        closed=Count("pk", filter=Q(closed_at__isnull=False)),
    )


@dataclass(frozen=True)
class SignupAnswers:
    """What a volunteer told the form: where and when, and each question with its answer."""

    form_title: str
    signed_up_at: dt.datetime
    source: str
    zip5: str
    # (question, answer) in the form's order; a question left blank is answered "".
    answers: list[tuple[str, str]]


def signup_answers(submission: SignupSubmission | None) -> SignupAnswers | None:
    """A sign-up's answers against its form's questions as they are now. Answers to questions
    since removed from the form follow, under their key, so that nothing said is hidden."""
    if submission is None:
        return None
    questions = submission.form.questions
    given = dict(submission.answers)
    answers = [(q["label"], str(given.pop(q["key"], ""))) for q in questions]
    answers += [(key, str(value)) for key, value in given.items()]
    return SignupAnswers(
        form_title=submission.form.title,
        signed_up_at=submission.created_at,
        source=submission.source,
        zip5=str(submission.payload.get("person", {}).get("zip5", "")),
        answers=answers,
    )


@dataclass(frozen=True)
class SignupLive:
    """The live sign-up numbers: aggregates for every staff member; names only in scope."""

    per_minute: list[tuple[dt.datetime, int]]
    last_hour: int
    last_minute: int
    total: int
    # Committed but not yet turned into people by the worker: a number that grows means the
    # worker is behind or down, which the other figures cannot show.
    pending: int
    uncontacted: int
    by_state: list[tuple[str, int]]
    by_source: list[tuple[str, int]]
    oldest: list[FollowUp]


def signup_live(
    *, scope: StaffScope, minutes: int = 30, now: dt.datetime | None = None
) -> SignupLive:
    now = now or timezone.now()
    end = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    start = end - dt.timedelta(minutes=minutes)
    recent = SignupSubmission.objects.filter(created_at__gte=start)
    counts = dict(
        recent.annotate(minute=TruncMinute("created_at"))
        .values_list("minute")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_minute = [
        (start + dt.timedelta(minutes=i), counts.get(start + dt.timedelta(minutes=i), 0))
        for i in range(minutes)
    ]
    hour = SignupSubmission.objects.filter(created_at__gte=now - dt.timedelta(hours=1))
    by_state = (
        hour.values_list("org_unit__state")
        .annotate(n=Count("id"))
        .order_by("-n", "org_unit__state")
    )
    by_source = hour.values_list("source").annotate(n=Count("id")).order_by("-n", "source")
    return SignupLive(
        per_minute=per_minute,
        last_hour=hour.count(),
        last_minute=SignupSubmission.objects.filter(
            created_at__gte=now - dt.timedelta(minutes=1)
        ).count(),
        total=SignupSubmission.objects.count(),
        pending=signup_pending_count(),
        uncontacted=FollowUp.objects.filter(
            closed_at__isnull=True, first_attempt_at__isnull=True
        ).count(),
        # No unit yet means the worker has not placed the sign-up; a unit without a state
        # (the national one) is a different answer.
        by_state=[
            ("not placed yet" if state is None else state or "no state", n)
            for state, n in by_state[:12]
        ],
        by_source=[(source or "none", n) for source, n in by_source[:12]],
        oldest=list(
            _follow_ups(scope)
            .filter(closed_at__isnull=True, first_attempt_at__isnull=True)
            .select_related("person", "org_unit")
            .order_by("created_at", "pk")[:8]
        ),
    )


def signup_pending_count() -> int:
    """Sign-ups the worker has not finished yet (read from the worker's partial index)."""
    return SignupSubmission.objects.filter(processed_at__isnull=True).count()


def signup_submission_get(submission_id: int) -> SignupSubmission | None:
    return SignupSubmission.objects.filter(pk=submission_id).first()
