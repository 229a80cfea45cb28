"""Reading the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from groundgame.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    kind: str = ""
    action: str = ""
    entity_type: str = ""
    entity_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def audit_event_list(filters: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    f = filters or AuditFilter()
    events = AuditEvent.objects.all()
    if f.actor:
        events = events.filter(actor_label__iexact=f.actor)
    if f.kind:
        events = events.filter(kind=f.kind)
    if f.action:
        events = events.filter(action__startswith=f.action)
    if f.entity_type:
        events = events.filter(entity_type=f.entity_type)
    if f.entity_id:
        events = events.filter(entity_id=f.entity_id)
    if f.since:
        events = events.filter(at__date__gte=f.since)
    if f.until:
        events = events.filter(at__date__lte=f.until)
    return events


def audit_kinds() -> list[tuple[str, str]]:
    return list(AuditEvent.Kind.choices)


def audit_entity_types() -> list[str]:
    return list(AuditEvent.objects.order_by().values_list("entity_type", flat=True).distinct())


def audit_events_about(entity_type: str, entity_id: object) -> QuerySet[AuditEvent]:
    """The events about one record, oldest first."""
    return AuditEvent.objects.filter(entity_type=entity_type, entity_id=str(entity_id)).order_by(
        "at", "id"
    )
