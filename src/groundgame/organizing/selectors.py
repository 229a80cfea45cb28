"""Reads of the organizing app that other apps use: the tree, who may see what, coverage."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Count, Q, QuerySet
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from groundgame.core.geo import area_timezone, zip_place
from groundgame.organizing.models import Coverage, StaffRole

# Exported for the apps above, whose services take a unit and say so in their signatures.
from groundgame.organizing.models import OrgUnit as OrgUnit

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
    # Every unit they hold a role in, whatever the role: what they share work with (saved
    # universes), as opposed to whose personal records they may open.
    unit_paths: tuple[str, ...] = ()
    is_superuser: bool = False
    # Where they may see donors and what they gave: the finance role's units; national
    # admins and superusers everywhere (``money_everywhere``).
    finance_paths: tuple[str, ...] = ()
    money_everywhere: bool = False

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

    def money_covers(self, path: str | None) -> bool:
        """Whether they may see the gifts of a donor placed at ``path``."""
        if self.money_everywhere:
            return True
        return bool(path) and any(str(path).startswith(p) for p in self.finance_paths)

    def money_filter(self, prefix: str = "org_unit__path") -> Q:
        """A ``Q`` keeping the donors whose gifts they may see; ``prefix`` leads to the path."""
        if self.money_everywhere:
            return Q()
        q = Q(pk__in=[])
        for path in self.finance_paths:
            q |= Q(**{f"{prefix}__startswith": path})
        return q


NO_SCOPE = StaffScope(user_id=None, is_staff=False, is_admin=False, everywhere=False)


# ``actor=None`` in a service is the system itself (the command line, loaders, the seed).
SYSTEM_SCOPE = StaffScope(
    user_id=None,
    is_staff=True,
    is_admin=True,
    everywhere=True,
    is_superuser=True,
    money_everywhere=True,
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
        unit_paths=_minimal_paths({g.org_unit.path for g in grants}),
        is_superuser=superuser,
        finance_paths=_minimal_paths(
            {g.org_unit.path for g in grants if g.role == StaffRole.Role.FINANCE}
        ),
        money_everywhere=is_admin
        or any(
            g.role == StaffRole.Role.FINANCE and g.org_unit.kind == OrgUnit.Kind.NATIONAL
            for g in grants
        ),
    )


def staff_emails_within(scope: StaffScope) -> set[str]:
    """The email addresses, lower-cased, of the scope's own account and of the active staff
    holding a role in a unit inside the scope's units (every staff member's for a scope
    everywhere)."""
    accounts = User.objects.filter(is_active=True).exclude(email="")
    if not scope.everywhere:
        inside = Q(pk=scope.user_id)
        for path in scope.unit_paths:
            inside |= Q(staff_roles__org_unit__path__startswith=path)
        accounts = accounts.filter(inside)
    return {email.lower() for email in accounts.values_list("email", flat=True)}


def org_unit_get(unit_id: int) -> OrgUnit | None:
    return OrgUnit.objects.filter(pk=unit_id).first()


def org_unit_by_path(path: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(path=path).first()


def org_unit_list() -> QuerySet[OrgUnit]:
    return OrgUnit.objects.all()


def org_unit_root() -> OrgUnit | None:
    return OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()


# Volunteers are kept by an app above this one. It registers how to count them when Django
# starts, so that the tree shows them while the kernel imports no feature app.
VolunteerCounter = Callable[[str], dict[str, int]]
_volunteer_counters: dict[str, VolunteerCounter] = {}


def org_unit_volunteer_counter_register(name: str, counter: VolunteerCounter) -> None:
    """``counter(path_prefix)`` answers {unit path: volunteers on that unit} for the units
    under the prefix ("" for all); registering a name again replaces its counter."""
    _volunteer_counters[name] = counter


def _volunteers_by_path(prefix: str) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for counter in _volunteer_counters.values():
        totals.update(counter(prefix))
    return dict(totals)


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
    """The whole hierarchy with volunteers and staff per unit."""
    units = list(
        OrgUnit.objects.annotate(n_staff=Count("staff_roles__user", distinct=True)).order_by("path")
    )
    volunteers = _volunteers_by_path("")
    nodes = {
        u.pk: OrgTreeNode(unit=u, volunteers=volunteers.get(u.path, 0), staff=u.n_staff)
        for u in units
    }
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
    ancestor_ids = unit_path_ids(unit.path)[:-1]
    ancestors = sorted(OrgUnit.objects.filter(pk__in=ancestor_ids), key=lambda u: len(u.path))
    children = (
        OrgUnit.objects.filter(parent=unit)
        .annotate(n_staff=Count("staff_roles__user", distinct=True))
        .order_by("name")
    )
    # Volunteers of each child counted with everything below it.
    volunteers_by_path = _volunteers_by_path(unit.path)
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


def org_unit_timezone(unit: OrgUnit) -> str:
    """The time zone of the unit's area: the zone most of the counties it covers are in,
    else its state's; failing both, the nearest unit above with either, and the campaign's
    zone (``GROUNDGAME_TIME_ZONE``) at the top."""
    ids = unit_path_ids(unit.path) or [unit.pk]
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=ids)}
    counties: dict[int, list[str]] = {}
    for unit_id, fips in Coverage.objects.filter(org_unit_id__in=ids).values_list(
        "org_unit_id", "county_fips"
    ):
        counties.setdefault(unit_id, []).append(fips)
    areas = [
        (counties.get(unit_id, []), units[unit_id].state)
        for unit_id in reversed(ids)
        if unit_id in units
    ]
    return area_timezone(areas) or str(settings.GROUNDGAME_TIME_ZONE)


def org_unit_for_zip(zip5: str) -> OrgUnit | None:
    """The team covering the ZIP code's county, else the campaign's root unit."""
    place = zip_place(zip5)
    return (org_unit_for_county(place.county_fips) if place else None) or org_unit_root()


def org_unit_by_name(name: str) -> OrgUnit | None:
    """A unit by its name (or id), as people type it on the command line."""
    name = name.strip()
    if name.isdigit():
        return OrgUnit.objects.filter(pk=int(name)).first()
    return OrgUnit.objects.filter(name__iexact=name).order_by("path").first()


def unit_path_ancestors(path: str) -> list[str]:
    """``"1/4/17/"`` -> ``["1/", "1/4/", "1/4/17/"]``: the paths of a unit and of every unit
    above it, root first."""
    return [path[: i + 1] for i, char in enumerate(path) if char == "/"]


def unit_path_ids(path: str) -> list[int]:
    """``"1/4/17/"`` -> ``[1, 4, 17]``: the ids of a unit and of every unit above it, root
    first (a path is the chain of ids)."""
    return [int(part) for part in path.strip("/").split("/") if part]


def org_unit_choices(scope: StaffScope) -> list[tuple[int, str]]:
    """The units a staff member works in, in tree order and indented by depth, for a select."""
    return [
        (unit.pk, f"{'— ' * unit.depth}{unit.name}")
        for unit in OrgUnit.objects.order_by("path")
        if scope.covers(unit.path)
    ]


def staff_with_role_above(path: str, role: str) -> list[User]:
    """Users holding ``role`` at the unit with this path or any unit above it (the people
    whose authority covers it), by username."""
    return list(
        User.objects.filter(
            staff_roles__role=role, staff_roles__org_unit__path__in=unit_path_ancestors(path)
        )
        .distinct()
        .order_by("username")
    )


def zip_centroid(zip5: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a ZIP code's centroid from the bundled table, or None."""
    place = zip_place(zip5 or "")
    return (place.latitude, place.longitude) if place else None


def org_unit_paths() -> dict[int, tuple[str, str, str]]:
    """Every unit's (path, name, kind) by id, for roll-ups up the tree."""
    return {u.pk: (u.path, u.name, u.kind) for u in OrgUnit.objects.only("path", "name", "kind")}


def two_factor_enrolled(*, user: AbstractBaseUser) -> bool:
    """Whether the staff member has confirmed an authenticator app."""
    return bool(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists())


def two_factor_recovery_codes_left(*, user: AbstractBaseUser) -> int:
    return int(StaticToken.objects.filter(device__user_id=user.pk, device__confirmed=True).count())
