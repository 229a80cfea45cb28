"""Time series and totals the volunteers app offers to the health dashboard and to organizer
reporting."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from groundgame.core.metrics import Metric
from groundgame.organizing.selectors import unit_path_ancestors
from groundgame.volunteers.models import FollowUp, Membership

VOLUNTEERS_BY_STATE = Metric(
    "volunteers.volunteers_by_state", "volunteers", "state", "Volunteers on a team, per state"
)
TIME_TO_FIRST_CONTACT = Metric(
    "volunteers.time_to_first_contact",
    "hours",
    "org_unit",
    "From sign-up to an organizer's first call: the median, and the share called within 48 "
    "hours, per unit with everything under it",
)

# The promise a campaign makes to a new volunteer: someone calls within two days.
FIRST_CONTACT_WITHIN = dt.timedelta(hours=48)


def volunteers_by_state() -> dict[str, int]:
    """Volunteers on teams, per state code."""
    rows = (
        Membership.objects.values("org_unit__state")
        .annotate(n=Count("person_id", distinct=True))
        .order_by("org_unit__state")
    )
    return {r["org_unit__state"]: r["n"] for r in rows if r["org_unit__state"]}


@dataclass
class FirstContact:
    """Time to first contact of the volunteers who landed in a unit's queue in a period."""

    signed_up: int = 0
    # Those an organizer has called at least once (whatever the outcome).
    called: int = 0
    called_within: int = 0
    # Not called, but their 48 hours are not over yet: counted neither way in the share.
    waiting_within: int = 0
    # Hours from sign-up to the first call, of those called.
    hours: list[float] = field(default_factory=list)

    @property
    def median_hours(self) -> float | None:
        return statistics.median(self.hours) if self.hours else None

    @property
    def judged(self) -> int:
        """Those whose 48 hours are over, or who were called before."""
        return self.signed_up - self.waiting_within

    @property
    def share_within(self) -> float | None:
        """Of those judged, the share called within 48 hours."""
        return self.called_within / self.judged if self.judged else None


def time_to_first_contact(
    *, since: dt.datetime, until: dt.datetime, now: dt.datetime
) -> dict[str, FirstContact]:
    """Per unit path, the volunteers whose follow-up opened from ``since`` to ``until``: how
    many, how many were called, the median hours to the first call of those called, and the
    share called within 48 hours. A unit counts everything under it (medians do not add, so
    the roll-up is of the durations, not of the figures), from one query."""
    rows = FollowUp.objects.filter(created_at__gte=since, created_at__lt=until).values_list(
        "org_unit__path", "created_at", "first_attempt_at"
    )
    by_path: dict[str, FirstContact] = defaultdict(FirstContact)
    for path, opened, called_at in rows.iterator():
        for above in unit_path_ancestors(path):
            figures = by_path[above]
            figures.signed_up += 1
            if called_at is not None:
                waited = called_at - opened
                figures.called += 1
                figures.called_within += waited <= FIRST_CONTACT_WITHIN
                figures.hours.append(waited.total_seconds() / 3600)
            elif now - opened < FIRST_CONTACT_WITHIN:
                figures.waiting_within += 1
    return dict(by_path)
