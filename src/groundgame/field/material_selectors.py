"""Reads of goals and materials: a unit's requests with their order-by dates, and totals
of what is needed against what arrived."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Sum

from groundgame.field.models import MaterialRequest
from groundgame.organizing.selectors import StaffScope


@dataclass(frozen=True)
class MaterialRow:
    request: MaterialRequest
    order_by: dt.date
    # Not ordered and the order-by date has passed: it will arrive after it is needed.
    late: bool
    short: int  # needed but not delivered (or not yet ordered)


def material_rows(*, scope: StaffScope, today: dt.date) -> list[MaterialRow]:
    requests = (
        MaterialRequest.objects.exclude(status=MaterialRequest.Status.CANCELLED)
        .select_related("org_unit", "item")
        .order_by("needed_by", "org_unit__path")
    )
    if not scope.everywhere:
        mine = Q(pk__in=[])
        for path in (*scope.person_paths, *scope.manage_paths):
            mine |= Q(org_unit__path__startswith=path)
        requests = requests.filter(mine)
    rows = []
    for r in requests:
        order_by = r.needed_by - dt.timedelta(days=r.lead_time_days)
        have = r.quantity_delivered if r.status == MaterialRequest.Status.DELIVERED else 0
        rows.append(
            MaterialRow(
                request=r,
                order_by=order_by,
                late=r.status == MaterialRequest.Status.REQUESTED and order_by < today,
                short=max(r.quantity_needed - have, 0),
            )
        )
    return rows


def material_totals() -> list[dict[str, Any]]:
    """Per kind: needed, ordered and delivered across the campaign."""
    rows = (
        MaterialRequest.objects.exclude(status=MaterialRequest.Status.CANCELLED)
        .values("kind")
        .annotate(
            needed=Sum("quantity_needed"),
            ordered=Sum("quantity_ordered"),
            delivered=Sum("quantity_delivered"),
        )
        .order_by("kind")
    )
    labels = dict(MaterialRequest.Kind.choices)
    return [
        {
            **row,
            "label": labels.get(row["kind"], row["kind"]),
            "short": max((row["needed"] or 0) - (row["delivered"] or 0), 0),
        }
        for row in rows
    ]
