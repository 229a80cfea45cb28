"""Every write of the organizing app: the hierarchy, staff accounts and roles, memberships,
sign-in with lockout."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import secrets
import time
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Field
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.consent import services as consent_services
from groundgame.core.errors import ApplicationError
from groundgame.core.group_commit import GroupCommit
from groundgame.core.shared_cache import redis_client
from groundgame.messaging import services as messaging_services
from groundgame.organizing import errors, event_tasks, geo, intake
from groundgame.organizing.models import (
    Coverage,
    Event,
    FollowUp,
    LoginFailure,
    Membership,
    OrgUnit,
    Shift,
    ShiftSignup,
    SignupForm,
    SignupSubmission,
    StaffRole,
)
from groundgame.organizing.selectors import (
    event_host_token,
    event_id_for_host_token,
    org_unit_for_county,
    org_unit_for_zip,
    signup_form_forget,
    staff_scope,
)
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people_services

_CHILD_KIND = {
    OrgUnit.Kind.NATIONAL: OrgUnit.Kind.STATE,
    OrgUnit.Kind.STATE: OrgUnit.Kind.REGION,
    OrgUnit.Kind.REGION: OrgUnit.Kind.TEAM,
}


def org_unit_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    parent: OrgUnit | None = None,
    state: str = "",
    counties: Iterable[str] = (),
) -> OrgUnit:
    """Add a unit under ``parent``; a national unit is the only one without a parent."""
    name = name.strip()
    if not name:
        raise errors.ValidationFailed("A unit needs a name.", field="name")
    if kind not in OrgUnit.Kind.values:
        raise errors.ValidationFailed(f"Unknown kind of unit {kind!r}.", field="kind")
    if parent is None and kind != OrgUnit.Kind.NATIONAL:
        raise errors.ValidationFailed(
            "Only a national unit has no parent.", code=errors.UNIT_BAD_PARENT, field="parent"
        )
    if parent is not None and _CHILD_KIND.get(OrgUnit.Kind(parent.kind)) != kind:
        raise errors.ValidationFailed(
            f"A {kind} cannot sit under a {parent.kind}.",
            code=errors.UNIT_BAD_PARENT,
            field="parent",
        )
    state = (state or (parent.state if parent else "")).upper()
    with transaction.atomic():
        try:
            with transaction.atomic():
                unit = OrgUnit.objects.create(
                    name=name, kind=kind, parent=parent, state=state, path=""
                )
        except IntegrityError:
            raise errors.Conflict(
                f"There is already a unit named {name!r} here.",
                code=errors.UNIT_NAME_TAKEN,
                field="name",
            ) from None
        unit.path = f"{parent.path if parent else ''}{unit.pk}/"
        unit.save(update_fields=["path"])
        Coverage.objects.bulk_create([Coverage(org_unit=unit, county_fips=c) for c in counties])
        audit.audit_create(actor=actor, action="org_unit.create", instance=unit)
    return unit


def staff_create(
    *,
    actor: Actor,
    username: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    superuser: bool = False,
) -> User:
    """A staff account; the password must pass the strong-password rules."""
    User = get_user_model()
    username = username.strip()
    if not username:
        raise errors.ValidationFailed("A username is required.", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise errors.Conflict(f"The username {username!r} is taken.", field="username")
    candidate = User(username=username, email=email, first_name=first_name, last_name=last_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise errors.ValidationFailed(" ".join(exc.messages), field="password") from None
    with transaction.atomic():
        if superuser:
            user = User.objects.create_superuser(
                username=username,
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
        else:
            user = User.objects.create_user(
                username=username,
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                is_staff=False,
            )
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.CREATE,
            action="staff.create",
            entity_type="auth.user",
            entity_id=user.pk,
            summary=f"staff account {username}" + (" (superuser)" if superuser else ""),
        )
    return user


def _require_may_grant(actor: Actor, org_unit: OrgUnit, role: str) -> None:
    """Staff acting through the app need a managing role at or above the unit; the system
    (``actor=None``: the command line, the seed) may do anything."""
    if actor is None:
        return
    if not staff_scope(actor).may_grant(org_unit.path, role):
        who = "an admin" if role == StaffRole.Role.ADMIN else "an admin or director"
        raise errors.PermissionDenied(
            f"Only {who} of {org_unit.name} or a unit above it can give or take this role.",
            code=errors.NOT_MANAGER,
        )


def staff_role_grant(*, actor: Actor, user: User, org_unit: OrgUnit, role: str) -> StaffRole:
    if role not in StaffRole.Role.values:
        raise errors.ValidationFailed(
            f"Unknown role {role!r}; choose one of {', '.join(StaffRole.Role.values)}.",
            code=errors.ROLE_UNKNOWN,
            field="role",
        )
    _require_may_grant(actor, org_unit, role)
    with transaction.atomic():
        grant, created = StaffRole.objects.get_or_create(user=user, org_unit=org_unit, role=role)
        if created:
            audit.audit_create(
                actor=actor,
                action="staff_role.grant",
                instance=grant,
                summary=f"{user.get_username()} is {grant.get_role_display()} of {org_unit}",
            )
    return grant


def staff_role_grant_to(*, actor: Actor, username: str, org_unit: OrgUnit, role: str) -> StaffRole:
    """``staff_role_grant`` for an account named by its username."""
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        raise errors.ValidationFailed("No staff account has that username.", field="username")
    return staff_role_grant(actor=actor, user=user, org_unit=org_unit, role=role)


def staff_onboard(
    *,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    org_unit: OrgUnit | None = None,
    email: str = "",
    superuser: bool = False,
) -> tuple[User, OrgUnit]:
    """A staff account with its first role, all or nothing.

    With no unit given the role is at the national unit, which is created (as "National") if
    the campaign has none yet, so a new organization can start from one command.
    """
    if superuser and actor is not None and not getattr(actor, "is_superuser", False):
        raise errors.PermissionDenied(
            "Only a superuser can create another superuser.", code=errors.NOT_MANAGER
        )
    with transaction.atomic():
        if org_unit is None:
            org_unit = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
        if org_unit is None:
            org_unit = org_unit_create(actor=actor, name="National", kind=OrgUnit.Kind.NATIONAL)
        user = staff_create(
            actor=actor, username=username, password=password, email=email, superuser=superuser
        )
        staff_role_grant(actor=actor, user=user, org_unit=org_unit, role=role)
    return user, org_unit


def staff_role_revoke(*, actor: Actor, grant: StaffRole) -> None:
    _require_may_grant(actor, grant.org_unit, grant.role)
    with transaction.atomic():
        audit.audit_delete(actor=actor, action="staff_role.revoke", instance=grant)
        grant.delete()


def membership_bulk_create(
    *, actor: Actor, memberships: list[tuple[int, int, str]], source: str
) -> int:
    """Put many volunteers on teams at once: ``(person_id, org_unit_id, role)`` rows.

    Used by loaders and the demo seed; one audit row for the batch.
    """
    with transaction.atomic():
        rows = [
            Membership(person_id=p, org_unit_id=u, role=r, source=source) for p, u, r in memberships
        ]
        Membership.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.BULK,
            action="membership.bulk_create",
            entity_type="organizing.membership",
            summary=f"{len(rows)} volunteers placed on teams from {source}",
        )
    return len(rows)


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.GROUNDGAME_LOGIN_WINDOW_SECONDS)


def login_is_locked(*, username: str, ip: str) -> bool:
    since = _window_start()
    limit = settings.GROUNDGAME_LOGIN_MAX_FAILURES
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username__iexact=username).count() >= limit:
        return True
    # One address guessing across many usernames is locked too, with more room for a shared
    # office network.
    return bool(ip) and recent.filter(ip=ip).count() >= limit * 4


def staff_login(*, request: HttpRequest, username: str, password: str) -> User:
    """Check the credentials, refusing while locked out; returns the user to log in.

    A locked-out attempt is refused without checking the password, so guessing stops working
    even for the right password until the window has passed.
    """
    ip = request.META.get("REMOTE_ADDR", "")
    if login_is_locked(username=username, ip=ip):
        raise errors.RateLimited(
            "Too many failed sign-ins. Wait 15 minutes, or ask an admin to reset your password.",
            code=errors.LOGIN_LOCKED,
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        # Recorded in its own transaction, before raising, so the failure counts.
        with transaction.atomic():
            LoginFailure.objects.create(username=username[:150], ip=ip, at=timezone.now())
            audit.audit_record(
                actor=None,
                kind=audit.Kind.AUTH,
                action="staff.login_failed",
                entity_type="auth.user",
                summary=f"failed sign-in as {username[:100]!r}",
            )
        raise errors.ValidationFailed(
            "That username and password do not match. Both are case-sensitive.", field="password"
        )
    with transaction.atomic():
        LoginFailure.objects.filter(username__iexact=username).delete()
        audit.audit_record(
            actor=user,
            kind=audit.Kind.AUTH,
            action="staff.login",
            entity_type="auth.user",
            entity_id=user.pk,
            summary=f"{user.get_username()} signed in",
        )
    return user


def membership_move(
    *, actor: Actor, person_from: int, person_to: int, ids: list[int] | None = None
) -> list[int]:
    """Move a person's team memberships to another person (a merge of two records of one
    person, or its undoing); returns the ids of the memberships moved.

    With ``ids``, exactly those move (an undo moves back what the merge moved). Without, all
    of ``person_from``'s move except those on a team ``person_to`` is already on, which stay
    where they are (one person is on a team once).
    """
    with transaction.atomic():
        rows = Membership.objects.select_for_update().filter(person_id=person_from)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        else:
            taken = Membership.objects.filter(person_id=person_to).values("org_unit_id")
            rows = rows.exclude(org_unit_id__in=taken)
        moved = sorted(rows.values_list("pk", flat=True))
        if moved:
            Membership.objects.filter(pk__in=moved).update(person_id=person_to)
            audit.audit_record(
                actor=actor,
                kind=audit.Kind.UPDATE,
                action="membership.move",
                entity_type="organizing.membership",
                entity_id=person_to,
                summary=f"{len(moved)} memberships moved from person {person_from}",
                changes={"person_id": [person_from, person_to], "ids": [None, moved]},
            )
    return moved


# Sign-up forms and volunteer intake ----------------------------------------------------------


def _signup_form_values(
    *,
    title: str,
    slug: str,
    org_unit: OrgUnit,
    intro: str,
    fields: dict[str, str],
    questions: list[dict[str, Any]],
    consent_topics: list[str],
    thank_you: str,
    source: str,
) -> dict[str, Any]:
    title = title.strip()
    if not title:
        raise errors.ValidationFailed("A form needs a title.", field="title")
    slug = slugify(slug or title)[:80]
    if not slug:
        raise errors.ValidationFailed("Use letters or digits in the address.", field="slug")
    bad_modes = [
        k
        for k, v in fields.items()
        if k not in intake.STANDARD_FIELDS or (v not in intake.FIELD_MODES)
    ]
    if bad_modes:
        raise errors.ValidationFailed(f"Unknown field setting {bad_modes[0]!r}.", field="fields")
    keys = set()
    for question in questions:
        if question.get("kind") not in intake.QUESTION_KINDS or not question.get("label"):
            raise errors.ValidationFailed(
                "Each question needs a label and a kind.", field="questions"
            )
        if question["kind"] == "choice" and not question.get("choices"):
            raise errors.ValidationFailed(
                f"The question {question['label']!r} needs choices.", field="questions"
            )
        if question["key"] in keys:
            raise errors.ValidationFailed(
                f"Two questions share the key {question['key']!r}.", field="questions"
            )
        keys.add(question["key"])
    unknown = sorted(set(consent_topics) - set(intake.CONSENT_TOPICS))
    if unknown:
        raise errors.ValidationFailed(f"Unknown topic {unknown[0]!r}.", field="consent_topics")
    source = source.strip().lower()
    if source and not intake.SOURCE_RE.fullmatch(source):
        raise errors.ValidationFailed(
            "A source is 1-40 lowercase letters, digits or ._:-", field="source"
        )
    return {
        "title": title,
        "slug": slug,
        "org_unit": org_unit,
        "intro": intro.strip(),
        "fields": {k: v for k, v in fields.items() if k not in intake.ALWAYS_REQUIRED},
        "questions": questions,
        "consent_topics": [t for t in intake.CONSENT_TOPICS if t in consent_topics],
        "thank_you": thank_you.strip(),
        "source": source,
    }


def _require_unit_manager(actor: Actor, unit: OrgUnit) -> None:
    """Staff who manage a unit (admins, directors, organizers) run its forms."""
    scope = staff_scope(actor)
    if not (scope.everywhere or scope.covers(unit.path)):
        raise errors.PermissionDenied(
            f"You do not organize {unit.name}.", code=errors.NOT_MANAGER, field="org_unit"
        )


def signup_form_create(
    *,
    actor: Actor,
    title: str,
    org_unit: OrgUnit,
    slug: str = "",
    intro: str = "",
    fields: dict[str, str] | None = None,
    questions: list[dict[str, Any]] | None = None,
    consent_topics: list[str] | None = None,
    thank_you: str = "",
    source: str = "",
) -> SignupForm:
    """A draft form; nothing is public until ``signup_form_publish``."""
    _require_unit_manager(actor, org_unit)
    values = _signup_form_values(
        title=title,
        slug=slug,
        org_unit=org_unit,
        intro=intro,
        fields=dict(intake.DEFAULT_FIELDS) if fields is None else fields,
        questions=questions or [],
        consent_topics=["volunteering", "events"] if consent_topics is None else consent_topics,
        thank_you=thank_you,
        source=source,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                form = SignupForm.objects.create(created_by=_staff_user(actor), **values)
        except IntegrityError:
            raise errors.Conflict(
                f"The address /f/{values['slug']}/ is taken; choose another.",
                code=errors.SIGNUP_FORM_SLUG_TAKEN,
                field="slug",
            ) from None
        audit.audit_create(actor=actor, action="signup_form.create", instance=form)
    return form


def signup_form_update(*, actor: Actor, form_id: int, **changes: Any) -> SignupForm:
    """Change a form's title, fields, questions, topics or texts; its address stays."""
    with transaction.atomic():
        form = SignupForm.objects.select_for_update().select_related("org_unit").get(pk=form_id)
        _require_unit_manager(actor, form.org_unit)
        unit = changes.pop("org_unit", form.org_unit)
        _require_unit_manager(actor, unit)
        current = {
            name: getattr(form, name)
            for name in (
                "title",
                "intro",
                "fields",
                "questions",
                "consent_topics",
                "thank_you",
                "source",
            )
        }
        unknown = set(changes) - set(current)
        if unknown:
            raise errors.ValidationFailed(f"{sorted(unknown)[0]!r} cannot be changed.")
        values = _signup_form_values(slug=form.slug, org_unit=unit, **{**current, **changes})
        before = audit.snapshot(form)
        for name, value in values.items():
            setattr(form, name, value)
        form.save()
        audit.audit_update(actor=actor, action="signup_form.update", instance=form, before=before)
        _forget_public_form(form.slug)
    return form


def signup_form_clone(*, actor: Actor, form_id: int, title: str = "", slug: str = "") -> SignupForm:
    """A draft copy of a form (fields, questions, topics, texts), for a new moment or unit."""
    source = SignupForm.objects.select_related("org_unit").get(pk=form_id)
    title = title.strip() or f"{source.title} (copy)"
    slug = slug or _free_slug(slugify(title)[:70] or source.slug)
    return signup_form_create(
        actor=actor,
        title=title,
        slug=slug,
        org_unit=source.org_unit,
        intro=source.intro,
        fields=dict(source.fields),
        questions=[dict(q) for q in source.questions],
        consent_topics=list(source.consent_topics),
        thank_you=source.thank_you,
        source=source.source,
    )


def _free_slug(base: str) -> str:
    taken = set(SignupForm.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def _signup_form_status(actor: Actor, form_id: int, status: str, action: str) -> SignupForm:
    with transaction.atomic():
        form = SignupForm.objects.select_for_update().select_related("org_unit").get(pk=form_id)
        _require_unit_manager(actor, form.org_unit)
        before = audit.snapshot(form)
        form.status = status
        if status == SignupForm.Status.PUBLISHED and form.published_at is None:
            form.published_at = timezone.now()
        form.save(update_fields=["status", "published_at", "updated_at"])
        audit.audit_update(actor=actor, action=action, instance=form, before=before)
        _forget_public_form(form.slug)
    return form


def _forget_public_form(slug: str) -> None:
    """Public pages read forms from the cache; once this change commits they must not."""
    transaction.on_commit(functools.partial(signup_form_forget, slug), robust=True)


def signup_form_publish(*, actor: Actor, form_id: int) -> SignupForm:
    """Open the form at /f/<slug>/ (and reopen a closed one)."""
    return _signup_form_status(actor, form_id, SignupForm.Status.PUBLISHED, "signup_form.publish")


def signup_form_close(*, actor: Actor, form_id: int) -> SignupForm:
    """Stop taking sign-ups; the page says so instead of showing the form."""
    return _signup_form_status(actor, form_id, SignupForm.Status.CLOSED, "signup_form.close")


def _staff_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def signup_submit(
    *,
    form: SignupForm,
    idempotency_key: str,
    fields: dict[str, Any],
    answers: dict[str, Any],
    consents: list[Any],
    source: str = "",
    referral_code: str = "",
    client: str = "",
) -> tuple[SignupSubmission, bool]:
    """Accept one sign-up: checked, then committed as one pending row. Returns
    ``(submission, created)``; ``signup_pending_process`` finishes it in a worker batch (the
    person found or created, their team, a follow-up, the confirmation email).

    The request does no more than that so that a launch-day surge costs one durable insert
    per sign-up. The idempotency key makes it safe to repeat: a replay (a double click, a
    retry after a lost response) returns the first submission with ``created=False`` and
    writes nothing; of two racing requests with one key, the unique constraint lets one in.
    """
    idempotency_key = intake.check_idempotency_key(idempotency_key)
    try:
        payload, clean = _signup_payload(
            form, fields, answers, consents, source, referral_code, client
        )
    except ApplicationError:
        # A retry of a sign-up that did commit gets its answer even if the form has closed
        # since; looked up only here so that a first submission costs no extra query.
        existing = _submission_for_key(form, idempotency_key)
        if existing is not None:
            return existing, False
        raise
    submission = SignupSubmission(
        form=form,
        idempotency_key=idempotency_key,
        payload=payload,
        answers=clean.answers,
        consents=clean.consents,
        source=clean.source,
        created_at=timezone.now(),
    )
    pk = _signup_insert(submission)
    if pk is None:
        existing = _submission_for_key(form, idempotency_key)
        if existing is None:
            raise RuntimeError(f"sign-up {idempotency_key!r} conflicted but is not stored")
        return existing, False
    submission.pk = pk
    submission._state.adding = False
    submission._state.db = connection.alias
    transaction.on_commit(signup_processing_schedule, robust=True)
    return submission, True


# The columns a new sign-up fills; the others are the worker's (null or blank until then).
_SIGNUP_INSERT_FIELDS = frozenset(
    ("form", "idempotency_key", "payload", "error", "answers", "consents", "source", "created_at")
)


@functools.cache
def _signup_insert_fields() -> list[Field[Any, Any]]:
    # In the model's order, which puts the unique (form, idempotency_key) first.
    return [f for f in SignupSubmission._meta.concrete_fields if f.name in _SIGNUP_INSERT_FIELDS]


@functools.cache
def _signup_insert_sql(vendor: str, rows: int) -> str:
    """The insert of ``rows`` sign-ups in the quoting of ``vendor``, answering the key and id
    of each row it stored (made once per database kind and batch size)."""
    quote = connection.ops.quote_name
    columns = [quote(str(f.column)) for f in _signup_insert_fields()]
    row = f"({', '.join(['%s'] * len(columns))})"
    # Names from the model and placeholders for the values: nothing here comes from a request.
    return (
        f"INSERT INTO {quote(SignupSubmission._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES {', '.join([row] * rows)} "
        f"ON CONFLICT ({columns[0]}, {columns[1]}) DO NOTHING "
        f"RETURNING {columns[0]}, {columns[1]}, {quote('id')}"
    )


def _signup_params(submission: SignupSubmission) -> list[Any]:
    return [
        f.get_db_prep_save(getattr(submission, f.attname), connection)
        for f in _signup_insert_fields()
    ]


def _signup_insert(submission: SignupSubmission) -> int | None:
    """Store a new sign-up; its id, or None if its key is already stored.

    Inside a caller's transaction the row commits with it. Otherwise the sign-ups that this
    process's threads are storing at the same moment are stored together, in one statement
    that commits by itself (``_signup_group``): under a surge the database then makes one
    transaction for many sign-ups, and a thread waits for one round trip, not one per
    sign-up ahead of it. The unique ``(form, idempotency_key)`` decides a race on one key
    without an error, and the loser reads the winner's row.
    """
    if connection.in_atomic_block:
        sql = _signup_insert_sql(connection.vendor, 1)
        stored = _insert_returning(sql, _signup_params(submission))
        return int(stored[0][2]) if stored else None
    return _signup_group.submit(submission)


def _signup_insert_batch(submissions: list[SignupSubmission]) -> list[int | Exception | None]:
    """Store ``submissions`` in one statement, on this thread's connection: the id of each,
    or None where its key was stored already (or earlier in the batch)."""
    first: dict[tuple[int, str], int] = {}
    for i, submission in enumerate(submissions):
        first.setdefault((submission.form_id, submission.idempotency_key), i)
    rows = [submissions[i] for i in first.values()]
    sql = _signup_insert_sql(connection.vendor, len(rows))
    params = [value for submission in rows for value in _signup_params(submission)]
    # A connection kept from an earlier request is not health-checked first (another round
    # trip on every batch): the insert is idempotent, so on a dead connection it is made once
    # more on a new one. Had the first one committed, the second finds every key, and each
    # sign-up is answered as a replay, with the same body.
    connection.health_check_done = True  # type: ignore[attr-defined]
    try:
        try:
            stored = _insert_returning(sql, params)
        except (OperationalError, InterfaceError):
            connection.close()
            stored = _insert_returning(sql, params)
    except DatabaseError as exc:
        if len(rows) == 1 or isinstance(exc, OperationalError | InterfaceError):
            # One row, or the database is away: every sign-up of the batch fails alike.
            raise
        # One row the database refuses must not fail the others: each alone, then.
        return [_signup_insert_alone(submission) for submission in submissions]
    ids = {(int(form_id), str(key)): int(pk) for form_id, key, pk in stored}
    return [
        ids.get(key) if first[key] == i else None
        for i, key in enumerate((s.form_id, s.idempotency_key) for s in submissions)
    ]


def _signup_insert_alone(submission: SignupSubmission) -> int | Exception | None:
    try:
        return _signup_insert_batch([submission])[0]
    except DatabaseError as exc:
        return exc


_signup_group: GroupCommit[SignupSubmission, int | None] = GroupCommit(_signup_insert_batch)


def _insert_returning(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _signup_payload(
    form: SignupForm,
    fields: dict[str, Any],
    answers: dict[str, Any],
    consents: list[Any],
    source: str,
    referral_code: str,
    client: str,
) -> tuple[dict[str, Any], intake.CleanSubmission]:
    if form.status != SignupForm.Status.PUBLISHED:
        raise errors.Conflict(
            "This sign-up form is not taking sign-ups.", code=errors.SIGNUP_FORM_CLOSED
        )
    clean = intake.clean_submission(
        fields_config=form.fields,
        questions=form.questions,
        consent_topics=form.consent_topics,
        fields=fields,
        answers=answers,
        consents=consents,
        source=source,
        default_source=form.source or f"signup:{form.slug}"[:40],
    )
    if clean.errors:
        raise intake.first_problem(clean.errors)
    person = dict(clean.person)
    try:
        # The same checks identity resolution makes, now, so that the worker never meets a
        # record it must refuse after the visitor was told it was accepted.
        normalized = people_services.person_fields_clean(
            first_name=person["first_name"],
            last_name=person["last_name"],
            email=person.get("email", ""),
            phone=person.get("phone", ""),
        )
    except errors.ValidationFailed as exc:
        raise errors.ValidationFailed(
            exc.message, code=errors.SIGNUP_INVALID, field=exc.field
        ) from None
    person.update(normalized)
    payload: dict[str, Any] = {"person": person}
    if intake.REFERRAL_CODE_RE.fullmatch(referral_code):
        payload["ref"] = referral_code
    if client:
        payload["client"] = client[:45]
    return payload, clean


def _submission_for_key(form: SignupForm, key: str) -> SignupSubmission | None:
    return SignupSubmission.objects.filter(form=form, idempotency_key=key).first()


# One processing task is enough for any number of sign-ups: while the flag is up, a task is
# queued or draining, and new sign-ups add no job. It expires by itself if a worker dies.
_PROCESSING_FLAG = "intake:processing"
_PROCESSING_FLAG_SECONDS = 10
SIGNUP_BATCH = 200
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
        from groundgame.organizing.tasks import signup_pending_process

        signup_pending_process.enqueue()
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


def signup_pending_process(*, batch: int = SIGNUP_BATCH) -> int:
    """Finish up to ``batch`` pending sign-ups, oldest first, in one transaction: resolve each
    person, place them in the team covering their ZIP, add a membership and an open follow-up,
    record the referral and an audit row; confirmation emails go out once committed.

    Rows another worker holds are skipped (PostgreSQL), so workers can run side by side.
    A row whose person cannot be created is marked with its error instead of blocking the
    queue. Returns how many rows were finished.
    """
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
                    _signup_finish(row, people_of)
            except ApplicationError as exc:
                row.error = exc.message[:300]
                row.processed_at = timezone.now()
                row.save(update_fields=["error", "processed_at"])
                audit.audit_record(
                    actor=None,
                    kind=audit.Kind.UPDATE,
                    action="signup.failed",
                    entity_type="organizing.signupsubmission",
                    entity_id=row.pk,
                    summary=f"{row.form.slug}: {row.error}",
                )
                continue
            confirmed.append(row.pk)
        transaction.on_commit(functools.partial(_enqueue_confirmations, confirmed), robust=True)
    return len(rows)


def _signup_finish(row: SignupSubmission, people_of: dict[int, int]) -> None:
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
    row.processed_at = timezone.now()
    row.save(update_fields=["person", "org_unit", "referred_by", "processed_at"])
    people_of[row.pk] = person.pk
    Membership.objects.get_or_create(person=person, org_unit=unit, defaults={"source": row.source})
    if not FollowUp.objects.filter(
        person=person, org_unit=unit, contacted_at__isnull=True
    ).exists():
        FollowUp.objects.create(person=person, org_unit=unit, source=row.source)
    client = row.payload.get("client", "")
    audit.audit_record(
        actor=None,
        kind=audit.Kind.CREATE,
        action="signup.submit",
        entity_type="organizing.signupsubmission",
        entity_id=row.pk,
        summary=f"{form.slug}: person {person.pk} to {unit.name}"
        + (f" from {client}" if client else ""),
    )


def _referrer(code: str, people_of: dict[int, int]) -> int | None:
    """The person a referral code credits, if it is genuine and they exist."""
    target = intake.referral_target(code) if code else None
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
    from groundgame.organizing.tasks import signup_confirmations_send

    signup_confirmations_send.enqueue(submission_ids)


def _unit_for_signup(form: SignupForm, person_unit_id: int | None, zip5: str) -> OrgUnit:
    """The team covering the volunteer's county, else the form's own unit."""
    county = intake.county_for_zip(zip5) if zip5 else ""
    if county:
        team = org_unit_for_county(county)
        if team is not None:
            return team
    if person_unit_id is not None:
        known = OrgUnit.objects.filter(pk=person_unit_id).first()
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
    _email_person(
        person_id=person.pk,
        subject=f"You're signed up: {form.title}",
        body=body,
        key=f"signup_confirmation:{submission.pk}",
    )
    with transaction.atomic():
        audit.audit_record(
            actor=None,
            kind=audit.Kind.CREATE,
            action="signup.confirmation_sent",
            entity_type="organizing.signupsubmission",
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
        code = intake.referral_code(person_id)
    elif submission_id is not None:
        code = intake.referral_code(submission_id, kind="submission")
    else:
        raise ValueError("a share link needs a person or a submission")
    return f"/f/{form.slug}/?ref={code}"


def follow_up_contact(*, actor: Actor, follow_up_id: int, note: str = "") -> FollowUp:
    """Mark a new volunteer contacted; only staff of their unit (or above) may."""
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update()
            .select_related("org_unit")
            .filter(pk=follow_up_id)
            .first()
        )
        if follow_up is None or not staff_scope(actor).covers(follow_up.org_unit.path):
            raise errors.NotFound(
                "No such volunteer in your queue.", code=errors.FOLLOW_UP_NOT_FOUND
            )
        if follow_up.contacted_at is not None:
            return follow_up
        before = audit.snapshot(follow_up)
        follow_up.contacted_at = timezone.now()
        follow_up.contacted_by = _staff_user(actor)
        follow_up.note = note.strip()[:500]
        follow_up.save()
        audit.audit_update(
            actor=actor, action="follow_up.contact", instance=follow_up, before=before
        )
    return follow_up


# Events, shifts and RSVPs ------------------------------------------------------------------

# Confirmed volunteers get their reminder this long before their shift starts.
REMINDER_LEAD = dt.timedelta(hours=24)
MAX_CAPACITY = 10_000


@dataclass(frozen=True)
class ShiftSpec:
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int = 20


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


def _require_event_staff(actor: Actor, org_unit: OrgUnit) -> None:
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


def _event_invalid(message: str, field: str) -> errors.ValidationFailed:
    return errors.ValidationFailed(message, code=errors.EVENT_INVALID, field=field)


def _clean_event_fields(
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
        raise _event_invalid("An event needs a title.", "title")
    if len(title) > 200:
        raise _event_invalid("Keep the title under 200 characters.", "title")
    if kind not in Event.Kind.values:
        raise _event_invalid(f"Unknown kind of event {kind!r}.", "kind")
    if timezone_name not in _timezones():
        raise _event_invalid(f"{timezone_name!r} is not a time zone.", "timezone")
    if zip5 and not re.fullmatch(r"\d{5}", zip5):
        raise _event_invalid("A ZIP code is 5 digits.", "zip5")
    if (latitude is None) != (longitude is None) or (
        latitude is not None
        and longitude is not None
        and not (-90 <= latitude <= 90 and -180 <= longitude <= 180)
    ):
        raise _event_invalid("The location's coordinates are not a place on Earth.", "location")
    if not is_virtual and latitude is None:
        if not zip5:
            raise _event_invalid("An in-person event needs the ZIP code of its venue.", "zip5")
        place = geo.zip_place(zip5)
        if place is None:
            raise _event_invalid(f"{zip5} is not a ZIP code we know.", "zip5")
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


def _clean_shift(spec: ShiftSpec, *, now: dt.datetime | None = None) -> ShiftSpec:
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


def _event_save_new(**fields: Any) -> Event:
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
            if (
                fields.get("mobilize_id") is not None
                and Event.objects.filter(mobilize_id=fields["mobilize_id"]).exists()
            ):
                raise
            slug = f"{base}-{secrets.token_hex(3)}"
    raise errors.Conflict("Could not find a free address for this event; try again.")


def _shifts_create(event: Event, specs: Sequence[ShiftSpec]) -> list[Shift]:
    return [
        Shift.objects.create(
            event=event, starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity
        )
        for s in specs
    ]


def _schedule_reminders(shifts: Iterable[Shift]) -> None:
    """After commit, one deferred task per shift sends its reminders 24 hours ahead.

    Shifts starting sooner get none: their volunteers signed up recently and have their
    confirmation. A backend that cannot defer (the immediate one) would send at once, so it
    schedules nothing.
    """
    now = timezone.now()
    backend = event_tasks.shift_reminders.get_backend()
    for shift in shifts:
        run_after = shift.starts_at - REMINDER_LEAD
        if run_after <= now or not backend.supports_defer:
            continue
        transaction.on_commit(
            partial(event_tasks.shift_reminders.using(run_after=run_after).enqueue, shift.pk)
        )


def _notify(signup_ids: Iterable[int], notice: str) -> None:
    for signup_id in signup_ids:
        transaction.on_commit(partial(event_tasks.rsvp_notice.enqueue, signup_id, notice))


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
    timezone_name: str = "America/New_York",
    shifts: Sequence[ShiftSpec] = (),
) -> Event:
    """A published event with its shifts; reminders are scheduled for each shift."""
    _require_event_staff(actor, org_unit)
    fields = _clean_event_fields(
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
    specs = [_clean_shift(s, now=now) for s in shifts]
    with transaction.atomic():
        event = _event_save_new(
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
        _schedule_reminders(created)
    return event


def event_clone(*, actor: Actor, event_id: int, days_later: int = 7) -> Event:
    """A copy of an event and its shifts ``days_later`` days on: next week's phone bank in a
    minute. The copy is published; RSVPs stay with the original."""
    if not -3650 <= days_later <= 3650:
        raise _event_invalid("Move the copy by at most ten years.", "days_later")
    source = Event.objects.select_related("org_unit").filter(pk=event_id).first()
    if source is None:
        raise errors.NotFound("No such event.", code=errors.EVENT_NOT_FOUND)
    offset = dt.timedelta(days=days_later)
    now = timezone.now()
    specs = [
        _clean_shift(
            ShiftSpec(
                starts_at=s.starts_at + offset, ends_at=s.ends_at + offset, capacity=s.capacity
            ),
            now=now,
        )
        for s in source.shifts.all()
    ]
    _require_event_staff(actor, source.org_unit)
    with transaction.atomic():
        event = _event_save_new(
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
        _schedule_reminders(created)
    return event


def event_cancel(*, actor: Actor, event_id: int) -> Event:
    """Cancel an event; everyone holding a place or waiting is told."""
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            raise errors.NotFound("No such event.", code=errors.EVENT_NOT_FOUND)
        _require_event_staff(actor, event.org_unit)
        if event.status == Event.Status.CANCELLED:
            return event
        before = audit.snapshot(event)
        event.status = Event.Status.CANCELLED
        event.save(update_fields=["status", "updated_at"])
        audit.audit_update(actor=actor, action="event.cancel", instance=event, before=before)
        active = ShiftSignup.objects.filter(shift__event=event).exclude(
            status=ShiftSignup.Status.CANCELLED
        )
        _notify(active.values_list("pk", flat=True), "event_cancelled")
    return event


def shift_add(
    *, actor: Actor, event_id: int, starts_at: dt.datetime, ends_at: dt.datetime, capacity: int
) -> Shift:
    spec = _clean_shift(
        ShiftSpec(starts_at=starts_at, ends_at=ends_at, capacity=capacity), now=timezone.now()
    )
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None:
            raise errors.NotFound("No such event.", code=errors.EVENT_NOT_FOUND)
        _require_event_staff(actor, event.org_unit)
        (shift,) = _shifts_create(event, [spec])
        audit.audit_create(actor=actor, action="shift.add", instance=shift)
        if event.status == Event.Status.PUBLISHED:
            _schedule_reminders([shift])
    return shift


def _clean_contact(*, first_name: str, last_name: str, email: str, code: str) -> str:
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
    host_email = _clean_contact(
        first_name=host_first_name,
        last_name=host_last_name,
        email=host_email,
        code=errors.EVENT_INVALID,
    )
    zip5 = zip5.strip()
    if not zip5:
        raise _event_invalid("The ZIP code tells us which organizers to ask.", "zip5")
    fields = _clean_event_fields(
        title=title,
        kind=kind,
        description=description,
        is_virtual=is_virtual,
        venue=venue,
        address=address,
        zip5=zip5,
        timezone_name="America/New_York",
    )
    if geo.zip_place(zip5) is None:
        raise _event_invalid(f"{zip5} is not a ZIP code we know.", "zip5")
    spec = _clean_shift(
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
        event = _event_save_new(org_unit=unit, status=Event.Status.PROPOSED, host=host, **fields)
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
        _require_event_staff(actor, event.org_unit)
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
            _schedule_reminders(event.shifts.all())
        transaction.on_commit(partial(event_tasks.event_host_notice.enqueue, event.pk))
    return event


def _confirmed_count(shift: Shift) -> int:
    return ShiftSignup.objects.filter(shift=shift, status=ShiftSignup.Status.CONFIRMED).count()


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
    RSVP back: a retried request lands once.
    """
    email = _clean_contact(
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
        _notify([signup.pk], str(status))
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
    _notify([s.pk for s in waiting], "promoted")
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
            _require_event_staff(actor, event.org_unit)
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
        _require_event_staff(actor, event.org_unit)
    roster = list(
        ShiftSignup.objects.filter(shift__event=event)
        .select_related("person", "shift")
        .order_by("shift__starts_at", "status", "created_at", "pk")
    )
    with transaction.atomic():
        audit.audit_read(
            actor=actor,
            entity_type="organizing.event",
            entity_id=event.pk,
            summary=f"roster of {event.title} ({len(roster)} RSVPs)"
            + (" by its host" if host_token and actor is None else ""),
        )
    return roster


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
                entity_type="organizing.shiftsignup",
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
        "reminder": (f"Tomorrow: {event.title}", "a reminder that you are expected."),
        "event_cancelled": (
            f"Cancelled: {event.title}",
            "this event has been cancelled. Sorry, and thank you.",
        ),
    }[notice]
    body = (
        f"Hi {signup.person.first_name},\n\n{event.title}: {opening}\n\n"
        f"When: {when:%A %B} {when.day}, {when:%-I:%M %p} ({event.timezone})\n"
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


# Imports from Mobilize: ids are theirs, so a second import of the same file finds every row.


def event_import_mobilize(
    *,
    actor: Actor,
    mobilize_id: int,
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
    timeslots: Sequence[tuple[int, ShiftSpec]],
) -> tuple[Event, bool]:
    """Create or update the event with this Mobilize id and its timeslots as shifts.

    Returns the event and whether anything changed. Past events import too (their history
    is the point); capacity is not Mobilize's to say, so new shifts get the default.
    """
    _require_event_staff(actor, org_unit)
    fields = _clean_event_fields(
        title=title,
        kind=kind,
        description=description,
        is_virtual=is_virtual,
        venue=venue,
        address=address,
        zip5=zip5,
        timezone_name=timezone_name,
        latitude=latitude,
        longitude=longitude,
    )
    specs = [(slot_id, _clean_shift(spec)) for slot_id, spec in timeslots]
    changed = False
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(mobilize_id=mobilize_id).first()
        if event is None:
            event = _event_save_new(
                org_unit=org_unit,
                status=Event.Status.PUBLISHED,
                mobilize_id=mobilize_id,
                **fields,
            )
            audit.audit_create(actor=actor, action="event.import", instance=event)
            changed = True
        elif any(getattr(event, k) != v for k, v in fields.items()):
            before = audit.snapshot(event)
            for name, value in fields.items():
                setattr(event, name, value)
            event.save()
            audit.audit_update(actor=actor, action="event.import", instance=event, before=before)
            changed = True
        for slot_id, spec in specs:
            shift = Shift.objects.filter(mobilize_id=slot_id).first()
            if shift is None:
                shift = Shift.objects.create(
                    event=event, starts_at=spec.starts_at, ends_at=spec.ends_at, mobilize_id=slot_id
                )
                audit.audit_create(actor=actor, action="shift.import", instance=shift)
                changed = True
            elif shift.event_id != event.pk:
                raise errors.Conflict(
                    f"Timeslot {slot_id} belongs to another event.",
                    code=errors.SHIFT_INVALID,
                    field="timeslots",
                )
            elif (shift.starts_at, shift.ends_at) != (spec.starts_at, spec.ends_at):
                before = audit.snapshot(shift)
                shift.starts_at, shift.ends_at = spec.starts_at, spec.ends_at
                shift.save(update_fields=["starts_at", "ends_at"])
                audit.audit_update(
                    actor=actor, action="shift.import", instance=shift, before=before
                )
                changed = True
    return event, changed


def rsvp_import_mobilize(
    *,
    actor: Actor,
    mobilize_id: int,
    shift: Shift,
    person_id: int,
    status: str,
    attendance: str,
    source: str = "mobilize",
) -> tuple[ShiftSignup, bool]:
    """Create or update an RSVP as Mobilize has it; returns it and whether anything changed.

    Mobilize already decided who got a place, so capacity is not applied here.
    """
    if status not in ShiftSignup.Status.values:
        raise errors.ValidationFailed(
            f"Unknown RSVP status {status!r}.", code=errors.RSVP_INVALID, field="status"
        )
    if attendance not in ShiftSignup.Attendance.values:
        raise errors.ValidationFailed(
            f"Unknown attendance {attendance!r}.", code=errors.RSVP_INVALID, field="attended"
        )
    with transaction.atomic():
        Shift.objects.select_for_update().filter(pk=shift.pk).first()
        signup = (
            ShiftSignup.objects.filter(mobilize_id=mobilize_id).first()
            or ShiftSignup.objects.filter(shift=shift, person_id=person_id).first()
        )
        if signup is None:
            signup = ShiftSignup.objects.create(
                shift=shift,
                person_id=person_id,
                status=status,
                attendance=attendance,
                cancel_token=secrets.token_urlsafe(32),
                source=source[:60],
                mobilize_id=mobilize_id,
            )
            audit.audit_create(actor=actor, action="shift_signup.import", instance=signup)
            return signup, True
        if signup.shift_id != shift.pk:
            raise errors.Conflict(
                f"Attendance {mobilize_id} was imported for another timeslot.",
                code=errors.RSVP_INVALID,
                field="timeslot",
            )
        wanted = {
            "status": status,
            "attendance": attendance,
            "mobilize_id": mobilize_id,
            "person_id": person_id,
        }
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
