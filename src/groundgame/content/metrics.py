"""What the content library offers to the health dashboard: how long approvals take, per
approver, and how much waits past its due time."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from groundgame.content.models import ContentVersion
from groundgame.core.metrics import Metric

APPROVAL_LATENCY = Metric(
    "content.approval_latency_hours",
    "hours",
    "approver",
    "Time from submission to decision, per approver",
)
OVERDUE = Metric(
    "content.approvals_overdue", "versions", "campaign", "Requests past their due time"
)


@dataclass(frozen=True)
class Latency:
    approver: str
    decided: int
    median_hours: float
    longest_hours: float


def approval_latency(*, since: dt.datetime) -> list[Latency]:
    """Per approver, over decisions since ``since``: how many, median and longest wait."""
    waits: dict[str, list[float]] = {}
    rows = ContentVersion.objects.filter(
        decided_at__gte=since, submitted_at__isnull=False, decided_by__isnull=False
    ).values_list("decided_by__username", "submitted_at", "decided_at")
    for approver, submitted, decided in rows:
        if submitted is not None and decided is not None:
            hours = (decided - submitted).total_seconds() / 3600
            waits.setdefault(approver, []).append(hours)
    return sorted(
        (
            Latency(a, len(w), round(statistics.median(w), 1), round(max(w), 1))
            for a, w in waits.items()
        ),
        key=lambda row: -row.median_hours,
    )


def approvals_overdue(*, now: dt.datetime) -> int:
    return ContentVersion.objects.filter(
        status=ContentVersion.Status.PENDING, due_at__lt=now
    ).count()
