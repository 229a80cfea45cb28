"""Every write of the organizing app: the hierarchy, staff accounts and roles, sign-in with
lockout and its second factor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core import client_address, locks
from groundgame.organizing import errors, two_factor
from groundgame.organizing.models import Coverage, LoginFailure, OrgUnit, StaffRole
from groundgame.organizing.selectors import staff_scope, two_factor_enrolled

T = TypeVar("T")

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


def _claim_attempt(*, username: str, ip: str) -> bool:
    """Count this attempt as a failure before the password is checked, unless locked out.

    Checking the count and recording the failure after the password check let 40 parallel
    guesses all pass the check before any was counted (18 were tried against a limit of 5).
    Here the check and the record are one step under a lock per username and per address,
    so at most the limit of attempts ever reach the password; a right password clears the
    failures, this one with them."""
    with transaction.atomic():
        locks.hold([f"groundgame.signin.user:{username.lower()}", f"groundgame.signin.ip:{ip}"])
        if login_is_locked(username=username, ip=ip):
            return False
        LoginFailure.objects.create(username=username[:150], ip=ip, at=timezone.now())
    return True


class SignInStep(StrEnum):
    """What a sign-in needs after a right password."""

    DONE = "done"
    CODE = "code"  # a code from the authenticator app, or a recovery code
    ENROL = "enrol"  # the role requires a second factor and there is none yet


@dataclass(frozen=True)
class SignIn:
    user: User
    next_step: SignInStep


def _locked_out() -> errors.RateLimited:
    return errors.RateLimited(
        "Too many failed sign-ins. Wait 15 minutes, or ask an admin to reset your password.",
        code=errors.LOGIN_LOCKED,
    )


def _signed_in(user: User, how: str) -> None:
    """The end of a sign-in: the failures counted against the account are cleared (this
    attempt's with them) and the sign-in is logged."""
    LoginFailure.objects.filter(username__iexact=user.get_username()).delete()
    audit.audit_record(
        actor=user,
        kind=audit.Kind.AUTH,
        action="staff.login",
        entity_type="auth.user",
        entity_id=user.pk,
        summary=f"{user.get_username()} signed in{how}",
    )


def staff_login(*, request: HttpRequest, username: str, password: str) -> SignIn:
    """Check the password, refusing while locked out; says what the sign-in needs next.

    A locked-out attempt is refused without checking the password, so guessing stops working
    even for the right password until the window has passed. When a second factor follows,
    the failures stay counted until it is given: otherwise a known password would clear the
    count before each round of guessed codes.
    """
    ip = client_address.of(request)
    if not _claim_attempt(username=username, ip=ip):
        raise _locked_out()
    user = authenticate(request, username=username, password=password)
    if user is None:
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
    if two_factor_enrolled(user=user):
        step = SignInStep.CODE
    elif two_factor.required_for(user):
        step = SignInStep.ENROL
    else:
        step = SignInStep.DONE
    with transaction.atomic():
        if step == SignInStep.DONE:
            _signed_in(user, "")
        else:
            audit.audit_record(
                actor=user,
                kind=audit.Kind.AUTH,
                action="staff.login_password",
                entity_type="auth.user",
                entity_id=user.pk,
                summary=f"{user.get_username()} gave the right password; a second factor is next",
            )
    return SignIn(user=user, next_step=step)


def _second_factor_attempt(request: HttpRequest, user: User, check: Callable[[], T | None]) -> T:
    """Run one check of a code as a sign-in attempt: counted toward the same lockout as
    passwords before the code is looked at, and under the account's sign-in lock, so that two
    requests carrying one code cannot both use it."""
    username = user.get_username()
    if not _claim_attempt(username=username, ip=client_address.of(request)):
        raise _locked_out()
    with transaction.atomic():
        locks.hold([f"groundgame.signin.user:{username.lower()}"])
        result = check()
        if result is not None:  # a right code clears the count, this attempt with it
            LoginFailure.objects.filter(username__iexact=username).delete()
    if result is None:
        audit.audit_record(
            actor=user,
            kind=audit.Kind.AUTH,
            action="staff.two_factor_failed",
            entity_type="auth.user",
            entity_id=user.pk,
            summary=f"a wrong or used second-factor code for {username}",
        )
        raise errors.ValidationFailed(
            "That code is not right, or it was used already. Type the current code from your "
            "authenticator app, or one of your recovery codes.",
            field="code",
            code=errors.TWO_FACTOR_CODE_WRONG,
        )
    return result


def staff_login_second_factor(*, request: HttpRequest, user: User, code: str) -> None:
    """Finish a sign-in with a code from the authenticator app or a recovery code (used up)."""

    def check() -> str | None:
        how = two_factor.code_check(user, code)
        if how is not None:
            _signed_in(user, f" with their {how}")
        return how

    _second_factor_attempt(request, user, check)


def two_factor_enrolment(*, user: User) -> two_factor.Enrolment:
    """The authenticator secret the staff member is about to confirm."""
    return two_factor.enrolment_start(user)


def two_factor_enrol(
    *, request: HttpRequest, user: User, code: str, finishes_sign_in: bool
) -> list[str]:
    """Confirm the authenticator secret with a code from it: it replaces any earlier second
    factor, and the ten recovery codes returned are shown once. When this finishes a sign-in
    (a role that requires a second factor, enrolling right after the password), the sign-in
    is logged too."""

    def check() -> list[str] | None:
        codes = two_factor.enrolment_confirm(user, code)
        if codes is not None:
            audit.audit_record(
                actor=user,
                kind=audit.Kind.AUTH,
                action="staff.two_factor_enrol",
                entity_type="auth.user",
                entity_id=user.pk,
                summary=f"{user.get_username()} set up an authenticator app and recovery codes",
            )
            if finishes_sign_in:
                _signed_in(user, " after setting up two-factor sign-in")
        return codes

    return _second_factor_attempt(request, user, check)


def two_factor_reset(*, actor: Actor, user: User) -> None:
    """A national admin removes another staff member's second factor (a lost phone): they
    sign in with their password alone next time, and enrol again if their role requires it."""
    if not staff_scope(actor).is_admin:
        raise errors.PermissionDenied(
            "Only national admins reset another staff member's two-factor sign-in.",
            code=errors.TWO_FACTOR_RESET_DENIED,
        )
    if getattr(actor, "pk", None) == user.pk:
        raise errors.PermissionDenied(
            "Set up your own authenticator again on your two-factor page instead.",
            code=errors.TWO_FACTOR_RESET_DENIED,
        )
    with transaction.atomic():
        removed = two_factor.devices_remove(user)
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.AUTH,
            action="staff.two_factor_reset",
            entity_type="auth.user",
            entity_id=user.pk,
            summary=f"reset {user.get_username()}'s two-factor sign-in ({removed} devices)",
        )
