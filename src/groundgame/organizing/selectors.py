"""Reads of the organizing app that other apps use: the tree, who may see what, coverage."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMinute
from django.utils import timezone

from groundgame.organizing.models import (
    Coverage,
    FollowUp,
    Membership,
    OrgUnit,
    SignupForm,
    SignupSubmission,
    StaffRole,
)

# Roles that may open personal records inside their units. Analysts work on aggregates.
PERSONAL_DATA_ROLES = frozenset(
    {
        StaffRole.Role.ADMIN,
        StaffRole.Role.DIRECTOR,
        StaffRole.Role.ORGANIZER,
        StaffRole.Role.VOLUNTEER_LEADER,
    }
)

MANAGER_ROLES = frozenset({StaffRole.Role.ADMIN, StaffRole.Role.DIRECTOR})


@dataclass(frozen=True)
class StaffScope:
    """What one signed-in user may see.

    ``person_paths`` are the org-unit paths under which they may open personal records; an
    empty tuple means none. ``everywhere`` is true for national scope (and superusers), who
    also see people not yet placed in any unit.
    """

    user_id: int | None
    is_staff: bool
    is_admin: bool
    everywhere: bool
    person_paths: tuple[str, ...] = ()
    roles: tuple[tuple[str, str], ...] = field(default=())  # (role label, unit name)
    # Where they may give and take roles: admins and directors manage the units under them;
    # only admins may make other admins.
    manage_paths: tuple[str, ...] = ()
    admin_paths: tuple[str, ...] = ()
    is_superuser: bool = False

    def may_grant(self, unit_path: str, role: str) -> bool:
        if self.is_superuser:
            return True
        paths = self.admin_paths if role == StaffRole.Role.ADMIN else self.manage_paths
        return any(unit_path.startswith(p) for p in paths)

    def covers(self, path: str | None) -> bool:
        if self.everywhere:
            return True
        if not path:
            return False
        return any(path.startswith(p) for p in self.person_paths)

    def person_filter(self, prefix: str = "org_unit__path") -> Q:
        """A ``Q`` that keeps the people this scope may see; ``prefix`` leads to the unit path."""
        if self.everywhere:
            return Q()
        if not self.person_paths:
            return Q(pk__in=[])
        q = Q()
        for path in self.person_paths:
            q |= Q(**{f"{prefix}__startswith": path})
        return q


NO_SCOPE = StaffScope(user_id=None, is_staff=False, is_admin=False, everywhere=False)
# ``actor=None`` in a service is the system itself (the command line, loaders, the seed).
SYSTEM_SCOPE = StaffScope(
    user_id=None, is_staff=True, is_admin=True, everywhere=True, is_superuser=True
)


def _minimal_paths(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already inside another one, so filters stay short."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def staff_scope(user: AbstractBaseUser | AnonymousUser | None) -> StaffScope:
    if user is None:
        return SYSTEM_SCOPE
    if not user.is_authenticated:
        return NO_SCOPE
    grants = list(
        StaffRole.objects.filter(user_id=user.pk)
        .select_related("org_unit")
        .order_by("org_unit__path")
    )
    superuser = bool(getattr(user, "is_superuser", False))
    if not grants and not superuser:
        return StaffScope(user_id=user.pk, is_staff=False, is_admin=False, everywhere=False)
    paths = {g.org_unit.path for g in grants if g.role in PERSONAL_DATA_ROLES}
    national = any(
        g.org_unit.kind == OrgUnit.Kind.NATIONAL and g.role in PERSONAL_DATA_ROLES for g in grants
    )
    is_admin = superuser or any(
        g.role == StaffRole.Role.ADMIN and g.org_unit.kind == OrgUnit.Kind.NATIONAL for g in grants
    )
    return StaffScope(
        user_id=user.pk,
        is_staff=True,
        is_admin=is_admin,
        everywhere=superuser or national,
        person_paths=_minimal_paths(paths),
        roles=tuple((g.get_role_display(), g.org_unit.name) for g in grants),
        manage_paths=_minimal_paths({g.org_unit.path for g in grants if g.role in MANAGER_ROLES}),
        admin_paths=_minimal_paths(
            {g.org_unit.path for g in grants if g.role == StaffRole.Role.ADMIN}
        ),
        is_superuser=superuser,
    )


def org_unit_get(unit_id: int) -> OrgUnit | None:
    return OrgUnit.objects.filter(pk=unit_id).first()


def org_unit_list() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.all()


def org_unit_root() -> OrgUnit | None:
    return OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()


@dataclass
class OrgTreeNode:
    unit: OrgUnit
    volunteers: int
    staff: int
    children: list[OrgTreeNode] = field(default_factory=list)

    @property
    def volunteers_total(self) -> int:
        return self.volunteers + sum(c.volunteers_total for c in self.children)


def org_unit_tree() -> list[OrgTreeNode]:
    """The whole hierarchy with volunteers and staff per unit, in two queries."""
    units = list(
        OrgUnit.objects.annotate(
            n_volunteers=Count("memberships", distinct=True),
            n_staff=Count("staff_roles__user", distinct=True),
        ).order_by("path")
    )
    nodes = {u.pk: OrgTreeNode(unit=u, volunteers=u.n_volunteers, staff=u.n_staff) for u in units}
    roots: list[OrgTreeNode] = []
    for unit in units:
        node = nodes[unit.pk]
        if unit.parent_id and unit.parent_id in nodes:
            nodes[unit.parent_id].children.append(node)
        else:
            roots.append(node)
    return roots


def org_unit_for_county(county_fips: str) -> OrgUnit | None:
    """The team covering a county, if any."""
    coverage = Coverage.objects.filter(county_fips=county_fips).select_related("org_unit").first()
    return coverage.org_unit if coverage else None


def coverage_map() -> dict[str, int]:
    """county FIPS -> id of the team that covers it."""
    return dict(Coverage.objects.values_list("county_fips", "org_unit_id"))


def unit_paths_by_id() -> dict[int, str]:
    return dict(OrgUnit.objects.values_list("pk", "path"))


def membership_count() -> int:
    return Membership.objects.count()


def person_unit_memberships(person_id: int) -> list[Membership]:
    return list(Membership.objects.filter(person_id=person_id).select_related("org_unit"))


def staff_count() -> int:
    return StaffRole.objects.values("user_id").distinct().count()


@dataclass(frozen=True)
class UnitDetail:
    unit: OrgUnit
    ancestors: list[OrgUnit]
    children: list[OrgTreeNode]
    staff: list[StaffRole]
    counties: list[str]
    volunteers: int


def org_unit_detail(unit_id: int) -> UnitDetail | None:
    """One unit with its chain of parents, children (with counts), staff and coverage."""
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        return None
    ancestor_ids = [int(part) for part in unit.path.strip("/").split("/")[:-1]]
    ancestors = sorted(OrgUnit.objects.filter(pk__in=ancestor_ids), key=lambda u: len(u.path))
    children = (
        OrgUnit.objects.filter(parent=unit)
        .annotate(n_staff=Count("staff_roles__user", distinct=True))
        .order_by("name")
    )
    # Volunteers of each child counted with everything below it, from one grouped query.
    volunteers_by_path = dict(
        Membership.objects.filter(org_unit__path__startswith=unit.path)
        .values_list("org_unit__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    return UnitDetail(
        unit=unit,
        ancestors=ancestors,
        children=[
            OrgTreeNode(
                unit=c,
                volunteers=sum(n for p, n in volunteers_by_path.items() if p.startswith(c.path)),
                staff=c.n_staff,
            )
            for c in children
        ],
        staff=list(
            StaffRole.objects.filter(org_unit=unit)
            .select_related("user")
            .order_by("role", "user__username")
        ),
        counties=sorted(unit.coverage.values_list("county_fips", flat=True)),
        volunteers=sum(volunteers_by_path.values()),
    )


def staff_role_get(grant_id: int) -> StaffRole | None:
    return StaffRole.objects.select_related("user", "org_unit").filter(pk=grant_id).first()


def staff_user_by_username(username: str) -> User | None:
    return User.objects.filter(username__iexact=username.strip()).first()


# Sign-up forms and the follow-up queue --------------------------------------------------------


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


def signup_form_public(slug: str) -> SignupForm | None:
    """A form by its address, published or not (a closed form's page says it is closed)."""
    return SignupForm.objects.filter(slug=slug).exclude(status=SignupForm.Status.DRAFT).first()


def signup_form_latest_published() -> SignupForm | None:
    return (
        SignupForm.objects.filter(status=SignupForm.Status.PUBLISHED)
        .order_by("-published_at", "-pk")
        .first()
    )


def signup_submission_count(form_id: int | None = None) -> int:
    rows = SignupSubmission.objects.all()
    return (rows.filter(form_id=form_id) if form_id else rows).count()


def follow_up_queue(*, scope: StaffScope, limit: int = 200) -> QuerySet[FollowUp]:
    """New volunteers not yet contacted in the units of this scope, oldest first."""
    return (
        FollowUp.objects.filter(scope.person_filter(), contacted_at__isnull=True)
        .select_related("person", "org_unit")
        .order_by("created_at", "pk")[:limit]
    )


@dataclass(frozen=True)
class IntakeLive:
    """The live intake numbers: aggregates for every staff member; names only in scope."""

    per_minute: list[tuple[dt.datetime, int]]
    last_hour: int
    last_minute: int
    total: int
    uncontacted: int
    by_state: list[tuple[str, int]]
    by_source: list[tuple[str, int]]
    oldest: list[FollowUp]


def intake_live(
    *, scope: StaffScope, minutes: int = 30, now: dt.datetime | None = None
) -> IntakeLive:
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
    return IntakeLive(
        per_minute=per_minute,
        last_hour=hour.count(),
        last_minute=SignupSubmission.objects.filter(
            created_at__gte=now - dt.timedelta(minutes=1)
        ).count(),
        total=SignupSubmission.objects.count(),
        uncontacted=FollowUp.objects.filter(contacted_at__isnull=True).count(),
        by_state=[(state or "none", n) for state, n in by_state[:12]],
        by_source=[(source or "none", n) for source, n in by_source[:12]],
        oldest=list(follow_up_queue(scope=scope, limit=8)),
    )


def signup_submission_get(submission_id: int) -> SignupSubmission | None:
    return SignupSubmission.objects.filter(pk=submission_id).first()
