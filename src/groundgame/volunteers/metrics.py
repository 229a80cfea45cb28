"""Time series and totals the volunteers app offers to the health dashboard."""

from __future__ import annotations

from django.db.models import Count

from groundgame.core.metrics import Metric
from groundgame.volunteers.models import Membership

VOLUNTEERS_BY_STATE = Metric(
    "volunteers.volunteers_by_state", "volunteers", "state", "Volunteers on a team, per state"
)


def volunteers_by_state() -> dict[str, int]:
    """Volunteers on teams, per state code."""
    rows = (
        Membership.objects.values("org_unit__state")
        .annotate(n=Count("person_id", distinct=True))
        .order_by("org_unit__state")
    )
    return {r["org_unit__state"]: r["n"] for r in rows if r["org_unit__state"]}
