"""Reads of the organizing app that other apps use: the tree, who may see what, coverage."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core import signing
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMinute
from django.dispatch import receiver
from django.utils import timezone

from groundgame.organizing import errors, geo
from groundgame.organizing.models import (
    Coverage,
    Event,
    FollowUp,
    Membership,
    OrgUnit,
    Shift,
    ShiftSignup,
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
    ancestor_ids = unit_path_ids(unit.path)[:-1]
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
    # Committed but not yet turned into people by the worker: a number that grows means the
    # worker is behind or down, which the other figures cannot show.
    pending: int
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
        pending=signup_pending_count(),
        uncontacted=FollowUp.objects.filter(contacted_at__isnull=True).count(),
        # No unit yet means the worker has not placed the sign-up; a unit without a state
        # (the national one) is a different answer.
        by_state=[
            ("not placed yet" if state is None else state or "no state", n)
            for state, n in by_state[:12]
        ],
        by_source=[(source or "none", n) for source, n in by_source[:12]],
        oldest=list(follow_up_queue(scope=scope, limit=8)),
    )


def signup_pending_count() -> int:
    """Sign-ups the worker has not finished yet (read from the worker's partial index)."""
    return SignupSubmission.objects.filter(processed_at__isnull=True).count()


def signup_submission_get(submission_id: int) -> SignupSubmission | None:
    return SignupSubmission.objects.filter(pk=submission_id).first()


# Events, shifts and RSVPs --------------------------------------------------------------------

_HOST_SALT = "groundgame.organizing.event-host"


@dataclass(frozen=True)
class ShiftSummary:
    shift: Shift
    confirmed: int
    waitlisted: int

    @property
    def spots_left(self) -> int:
        return max(0, self.shift.capacity - self.confirmed)


@dataclass(frozen=True)
class EventNear:
    event: Event
    # None for virtual events, and when the search gave no ZIP code.
    distance_miles: float | None
    shifts: list[ShiftSummary]

    @property
    def next_shift(self) -> ShiftSummary | None:
        return self.shifts[0] if self.shifts else None


@dataclass(frozen=True)
class EventSearch:
    origin: geo.ZipPlace | None
    radius_miles: float
    results: list[EventNear]


def _shift_summaries(shifts: QuerySet[Shift]) -> list[ShiftSummary]:
    rows = shifts.annotate(
        n_confirmed=Count("signups", filter=Q(signups__status=ShiftSignup.Status.CONFIRMED)),
        n_waitlisted=Count("signups", filter=Q(signups__status=ShiftSignup.Status.WAITLISTED)),
    ).order_by("starts_at", "pk")
    return [ShiftSummary(shift=s, confirmed=s.n_confirmed, waitlisted=s.n_waitlisted) for s in rows]


def events_near(
    *,
    zip5: str = "",
    radius_miles: float = 25,
    kind: str = "",
    now: dt.datetime | None = None,
    limit: int = 100,
) -> EventSearch:
    """Published events with a shift still to come, nearest first, within the radius of the
    ZIP code's centroid; virtual events follow (distance means nothing for them). Without a
    ZIP code, everything upcoming by date.

    Raises ``ValidationFailed`` (``zip_unknown``) for a ZIP code that is not in the table.
    """
    now = now or timezone.now()
    zip5 = zip5.strip()
    origin = None
    if zip5:
        origin = geo.zip_place(zip5)
        if origin is None:
            raise errors.ValidationFailed(
                f"{zip5} is not a ZIP code we know.", code=errors.ZIP_UNKNOWN, field="zip"
            )
    events = Event.objects.filter(status=Event.Status.PUBLISHED, shifts__ends_at__gt=now)
    if kind:
        events = events.filter(kind=kind)
    if origin is not None:
        south, north, west, east = geo.bounding_box(origin.latitude, origin.longitude, radius_miles)
        events = events.filter(
            Q(is_virtual=True) | Q(latitude__range=(south, north), longitude__range=(west, east))
        )
    candidates = list(events.distinct().select_related("org_unit")[: limit * 4])
    upcoming = _shift_summaries(
        Shift.objects.filter(event__in=[e.pk for e in candidates], ends_at__gt=now)
    )
    by_event: dict[int, list[ShiftSummary]] = {}
    for summary in upcoming:
        by_event.setdefault(summary.shift.event_id, []).append(summary)
    results: list[EventNear] = []
    for event in candidates:
        distance = None
        if origin is not None and event.latitude is not None and event.longitude is not None:
            distance = geo.distance_miles(
                origin.latitude, origin.longitude, event.latitude, event.longitude
            )
            if distance > radius_miles:
                continue
        results.append(EventNear(event=event, distance_miles=distance, shifts=by_event[event.pk]))
    far = float("inf")
    results.sort(
        key=lambda r: (
            r.event.is_virtual,
            r.distance_miles if r.distance_miles is not None else far,
            r.shifts[0].shift.starts_at,
        )
    )
    return EventSearch(origin=origin, radius_miles=radius_miles, results=results[:limit])


@dataclass(frozen=True)
class EventDetail:
    event: Event
    shifts: list[ShiftSummary]
    upcoming: list[ShiftSummary]


def event_detail(
    *, slug: str = "", event_id: int | None = None, now: dt.datetime | None = None
) -> EventDetail | None:
    """An event with each shift's counts; ``upcoming`` are those not over yet."""
    rows = Event.objects.select_related("org_unit", "host")
    event = (rows.filter(pk=event_id) if event_id is not None else rows.filter(slug=slug)).first()
    if event is None:
        return None
    now = now or timezone.now()
    shifts = _shift_summaries(event.shifts.all())
    return EventDetail(
        event=event, shifts=shifts, upcoming=[s for s in shifts if s.shift.ends_at > now]
    )


def event_public(slug: str) -> EventDetail | None:
    """The public page of an event: published or cancelled ones (which say so)."""
    detail = event_detail(slug=slug)
    if detail is None or detail.event.status not in (
        Event.Status.PUBLISHED,
        Event.Status.CANCELLED,
    ):
        return None
    return detail


@dataclass(frozen=True)
class StaffEventRow:
    event: Event
    shifts: int
    confirmed: int
    waitlisted: int
    first_start: dt.datetime | None


def event_list_for_staff(
    *, scope: StaffScope, past: bool = False, now: dt.datetime | None = None
) -> list[StaffEventRow]:
    """Events of the units this scope covers: upcoming by date, or past most recent first."""
    now = now or timezone.now()
    rows = (
        Event.objects.filter(scope.person_filter())
        .exclude(status=Event.Status.PROPOSED)
        .select_related("org_unit")
        .annotate(
            n_shifts=Count("shifts", distinct=True),
            first_start=Min("shifts__starts_at"),
            last_end=Max("shifts__ends_at"),
            n_confirmed=Count(
                "shifts__signups",
                filter=Q(shifts__signups__status=ShiftSignup.Status.CONFIRMED),
            ),
            n_waitlisted=Count(
                "shifts__signups",
                filter=Q(shifts__signups__status=ShiftSignup.Status.WAITLISTED),
            ),
        )
    )
    rows = (
        rows.filter(last_end__lte=now).order_by("-first_start")
        if past
        else rows.filter(Q(last_end__gt=now) | Q(last_end__isnull=True)).order_by("first_start")
    )
    return [
        StaffEventRow(
            event=e,
            shifts=e.n_shifts,
            confirmed=e.n_confirmed,
            waitlisted=e.n_waitlisted,
            first_start=e.first_start,
        )
        for e in rows[:500]
    ]


def event_proposals_pending(*, scope: StaffScope) -> list[EventDetail]:
    """Volunteers' proposals waiting for a decision in the units of this scope, oldest first."""
    events = (
        Event.objects.filter(scope.person_filter(), status=Event.Status.PROPOSED)
        .select_related("org_unit", "host")
        .order_by("created_at", "pk")
    )
    return [
        EventDetail(event=e, shifts=s, upcoming=s)
        for e in events
        for s in [_shift_summaries(e.shifts.all())]
    ]


def signup_by_token(token: str) -> ShiftSignup | None:
    if not token:
        return None
    return (
        ShiftSignup.objects.select_related("shift__event", "person")
        .filter(cancel_token=token)
        .first()
    )


def org_unit_for_zip(zip5: str) -> OrgUnit | None:
    """The team covering the ZIP code's county, else the campaign's root unit."""
    place = geo.zip_place(zip5)
    return (org_unit_for_county(place.county_fips) if place else None) or org_unit_root()


def org_unit_by_name(name: str) -> OrgUnit | None:
    """A unit by its name (or id), as people type it on the command line."""
    name = name.strip()
    if name.isdigit():
        return OrgUnit.objects.filter(pk=int(name)).first()
    return OrgUnit.objects.filter(name__iexact=name).order_by("path").first()


def shift_by_mobilize_id(mobilize_id: int) -> Shift | None:
    return Shift.objects.filter(mobilize_id=mobilize_id).first()


def event_host_token(event_id: int) -> str:
    """The secret of a volunteer host's link to their roster (no account needed)."""
    return signing.dumps(event_id, salt=_HOST_SALT)


def event_id_for_host_token(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=_HOST_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


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
    place = geo.zip_place(zip5 or "")
    return (place.latitude, place.longitude) if place else None


def shift_list_upcoming(
    *, scope: StaffScope, now: dt.datetime | None = None, limit: int = 200
) -> list[Shift]:
    """Shifts not over yet of published events in the units this scope covers, soonest
    first, with their event (to hand a walk list to a shift)."""
    now = now or timezone.now()
    return list(
        Shift.objects.filter(
            scope.person_filter("event__org_unit__path"),
            event__status=Event.Status.PUBLISHED,
            ends_at__gt=now,
        )
        .select_related("event")
        .order_by("starts_at", "pk")[:limit]
    )


def shift_get(shift_id: int) -> Shift | None:
    return Shift.objects.select_related("event__org_unit").filter(pk=shift_id).first()


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


def shift_fill_by_unit_day(
    *, since: dt.date, until: dt.date
) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """(places filled, capacity) of published events' shifts per org unit per day the shift
    starts, ``since`` to ``until`` inclusive: how well the field program staffs its shifts.

    Places and confirmed RSVPs are counted in two queries: summed over a join with the RSVPs,
    a shift's capacity would count once per RSVP."""
    shifts = Shift.objects.filter(
        event__status=Event.Status.PUBLISHED,
        starts_at__date__gte=since,
        starts_at__date__lte=until,
    )
    places = (
        shifts.annotate(day=TruncDate("starts_at"))
        .values("event__org_unit_id", "day")
        .annotate(n=Sum("capacity"))
    )
    filled = (
        ShiftSignup.objects.filter(shift__in=shifts, status=ShiftSignup.Status.CONFIRMED)
        .annotate(day=TruncDate("shift__starts_at"))
        .values("shift__event__org_unit_id", "day")
        .annotate(n=Count("pk"))
    )
    confirmed = {(r["shift__event__org_unit_id"], r["day"]): r["n"] for r in filled}
    return {
        (r["event__org_unit_id"], r["day"]): (
            confirmed.get((r["event__org_unit_id"], r["day"]), 0),
            r["n"] or 0,
        )
        for r in places
    }


def org_unit_paths() -> dict[int, tuple[str, str, str]]:
    """Every unit's (path, name, kind) by id, for roll-ups up the tree."""
    return {u.pk: (u.path, u.name, u.kind) for u in OrgUnit.objects.only("path", "name", "kind")}
