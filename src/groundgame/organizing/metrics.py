"""Totals the organizing app offers to the health dashboard."""

from __future__ import annotations

from django.db.models import Count

from groundgame.organizing.models import OrgUnit


def units_by_kind() -> dict[str, int]:
    rows = OrgUnit.objects.values("kind").annotate(n=Count("id")).order_by()
    return {r["kind"]: r["n"] for r in rows}
