"""Every write of the organizing app: the hierarchy, staff accounts and roles, memberships,
sign-in with lockout."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.organizing import errors, intake
from groundgame.organizing.models import (
    Coverage,
    FollowUp,
    LoginFailure,
    Membership,
    OrgUnit,
    SignupForm,
    SignupSubmission,
    StaffRole,
)
from groundgame.organizing.selectors import org_unit_for_county, staff_scope
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
    return form


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
    """Take one sign-up: the person (found or created), their team, a follow-up for their
    organizer, and the confirmation email once committed. Returns ``(submission, created)``.

    The idempotency key makes it safe to repeat: a replay (a double click, a client retry
    after a lost response, a replayed request) returns the first submission with
    ``created=False`` and writes nothing. Two racing requests with one key are settled by the
    unique constraint: the loser's transaction rolls back whole and it returns the winner's.
    """
    idempotency_key = intake.check_idempotency_key(idempotency_key)
    existing = _submission_for_key(form, idempotency_key)
    if existing is not None:
        return existing, False
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
    referred_by = intake.referral_person_id(referral_code) if referral_code else None
    # A second attempt settles the rare race on another unique row (the volunteer's open
    # follow-up or membership, when two sign-ups of one person arrive at the same instant).
    for attempt in range(2):
        try:
            return _signup_write(form, idempotency_key, clean, referred_by, client), True
        except IntegrityError:
            existing = _submission_for_key(form, idempotency_key)
            if existing is not None:
                return existing, False
            if attempt:
                raise
    raise AssertionError("unreachable")


def _submission_for_key(form: SignupForm, key: str) -> SignupSubmission | None:
    return SignupSubmission.objects.filter(form=form, idempotency_key=key).first()


def _signup_write(
    form: SignupForm,
    key: str,
    clean: intake.CleanSubmission,
    referred_by: int | None,
    client: str,
) -> SignupSubmission:
    person_fields = clean.person
    with transaction.atomic():
        try:
            found = people_services.person_find_or_create(
                actor=None,
                source=f"signup:{form.slug}"[:60],
                first_name=person_fields["first_name"],
                last_name=person_fields["last_name"],
                email=person_fields.get("email", ""),
                phone=person_fields.get("phone", ""),
                street=person_fields.get("street", ""),
                zip5=person_fields.get("zip5", ""),
            )
        except errors.ValidationFailed as exc:
            # Identity resolution names the person's field; keep its words, use intake's code.
            raise errors.ValidationFailed(
                exc.message, code=errors.SIGNUP_INVALID, field=exc.field
            ) from None
        person = found.person
        unit = _unit_for_signup(form, person.org_unit_id, person_fields.get("zip5", ""))
        if person.org_unit_id is None:
            people_services.person_place(actor=None, person_id=person.pk, org_unit_id=unit.pk)
        if referred_by == person.pk:
            referred_by = None
        submission = SignupSubmission.objects.create(
            form=form,
            idempotency_key=key,
            person=person,
            org_unit=unit,
            answers=clean.answers,
            consents=clean.consents,
            source=clean.source,
            referred_by_id=referred_by
            if referred_by and people_selectors.person_exists(referred_by)
            else None,
            created_at=timezone.now(),
        )
        Membership.objects.get_or_create(
            person=person, org_unit=unit, defaults={"source": clean.source}
        )
        if not FollowUp.objects.filter(
            person=person, org_unit=unit, contacted_at__isnull=True
        ).exists():
            FollowUp.objects.create(person=person, org_unit=unit, source=clean.source)
        audit.audit_record(
            actor=None,
            kind=audit.Kind.CREATE,
            action="signup.submit",
            entity_type="organizing.signupsubmission",
            entity_id=submission.pk,
            summary=f"{form.slug}: person {person.pk} to {unit.name}"
            + (f" from {client}" if client else ""),
        )
        transaction.on_commit(functools.partial(_enqueue_confirmation, submission.pk), robust=True)
    return submission


def _enqueue_confirmation(submission_id: int) -> None:
    from groundgame.organizing.tasks import signup_confirmation_send

    signup_confirmation_send.enqueue(submission_id)


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
    """Email the volunteer their confirmation and share link; False if there is no address.

    Runs in a worker after the sign-up committed, so a slow mail server never holds up a
    sign-up and a rolled-back sign-up is never confirmed.
    """
    submission = (
        SignupSubmission.objects.select_related("form", "org_unit", "person")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None or not submission.person.email:
        return False
    person = submission.person
    form = submission.form
    share = f"{settings.GROUNDGAME_PUBLIC_URL.rstrip('/')}{signup_share_path(form, person.pk)}"
    body = (
        f"Hi {person.first_name},\n\n"
        f"Thank you for signing up: {form.title}.\n"
        f"An organizer with {submission.org_unit.name} will be in touch soon.\n\n"
        f"{form.thank_you + chr(10) + chr(10) if form.thank_you else ''}"
        f"Bring a friend: share your link\n{share}\n"
    )
    send_mail(
        subject=f"You're signed up: {form.title}",
        message=body,
        from_email=None,
        recipient_list=[person.email],
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


def signup_share_path(form: SignupForm, person_id: int) -> str:
    """A volunteer's share link to a form: whoever signs up through it was recruited by them."""
    return f"/f/{form.slug}/?ref={intake.referral_code(person_id)}"


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
