"""Writing to the audit log. Every other app's services call these inside their transaction,
so a change and its audit row commit or roll back together."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils import timezone

from groundgame.audit.models import AuditEvent
from groundgame.core import request_context

# The kinds of event, for callers in other apps.
Kind = AuditEvent.Kind

Actor = AbstractBaseUser | AnonymousUser | None
Changes = dict[str, list[Any]]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, as JSON-ready values."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: _jsonable(getattr(instance, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> Changes:
    """Fields whose value changed, as ``{"field": [before, after]}``."""
    keys = before.keys() | after.keys()
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(keys)
        if before.get(k) != after.get(k) and k not in {"updated_at", "created_at"}
    }


def _actor_fields(actor: Actor) -> tuple[Any, str]:
    if actor is None or not actor.is_authenticated:
        return None, "system" if actor is None else "anonymous"
    return actor, actor.get_username()


def audit_record(
    *,
    actor: Actor,
    kind: AuditEvent.Kind,
    action: str,
    entity_type: str,
    entity_id: object = "",
    summary: str = "",
    changes: Changes | None = None,
) -> AuditEvent:
    """Append one event. Called by services in the same transaction as the change."""
    event = _event(actor, kind, action, entity_type, entity_id, summary, changes)
    event.save()
    return event


def _event(
    actor: Actor,
    kind: AuditEvent.Kind,
    action: str,
    entity_type: str,
    entity_id: object,
    summary: str,
    changes: Changes | None,
) -> AuditEvent:
    user, label = _actor_fields(actor)
    context = request_context.current()
    return AuditEvent(
        at=timezone.now(),
        actor=user,
        actor_label=label,
        kind=kind,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        summary=summary[:300],
        changes=changes or {},
        request_id=context.request_id if context else "",
        client_request_id=context.client_request_id if context else "",
        ip=context.ip if context else "",
    )


def audit_create(
    *, actor: Actor, action: str, instance: models.Model, summary: str = ""
) -> AuditEvent:
    after = snapshot(instance)
    return audit_record(
        actor=actor,
        kind=AuditEvent.Kind.CREATE,
        action=action,
        entity_type=instance._meta.label_lower,
        entity_id=instance.pk,
        summary=summary or str(instance),
        changes=diff({}, after),
    )


def audit_update(
    *, actor: Actor, action: str, instance: models.Model, before: dict[str, Any], summary: str = ""
) -> AuditEvent | None:
    """Record what changed since ``before`` (a ``snapshot``); nothing if nothing changed."""
    changes = diff(before, snapshot(instance))
    if not changes:
        return None
    return audit_record(
        actor=actor,
        kind=AuditEvent.Kind.UPDATE,
        action=action,
        entity_type=instance._meta.label_lower,
        entity_id=instance.pk,
        summary=summary or str(instance),
        changes=changes,
    )


def audit_delete(
    *, actor: Actor, action: str, instance: models.Model, summary: str = ""
) -> AuditEvent:
    return audit_record(
        actor=actor,
        kind=AuditEvent.Kind.DELETE,
        action=action,
        entity_type=instance._meta.label_lower,
        entity_id=instance.pk,
        summary=summary or str(instance),
        changes=diff(snapshot(instance), {}),
    )


def audit_read(
    *, actor: Actor, entity_type: str, entity_id: object, summary: str = ""
) -> AuditEvent:
    """Log that someone looked at a record of personal data."""
    return audit_record(
        actor=actor,
        kind=AuditEvent.Kind.READ,
        action=f"{entity_type}.read",
        entity_type=entity_type,
        entity_id=entity_id,
        summary=summary,
    )


def audit_read_many(*, actor: Actor, entity_type: str, reads: Iterable[tuple[object, str]]) -> None:
    """Log reads of many records shown at once (a list with their contact details), one
    event per record as ``audit_read`` writes, in one insert."""
    AuditEvent.objects.bulk_create(
        _event(actor, AuditEvent.Kind.READ, f"{entity_type}.read", entity_type, pk, summary, None)
        for pk, summary in reads
    )


def audit_read_list(*, actor: Actor, entity_type: str, count: int, query: str = "") -> AuditEvent:
    """Log one read of a list of personal records (a search, a page of a queue, a file):
    how many were shown and what was asked, in one event."""
    asked = f"; query: {query}" if query else ""
    return audit_record(
        actor=actor,
        kind=AuditEvent.Kind.READ,
        action=f"{entity_type}.list",
        entity_type=entity_type,
        summary=f"{count} shown{asked}",
    )


ERASED = "[erased]"


def _redacted(value: Any, values: set[str]) -> Any:
    if isinstance(value, str):
        return ERASED if any(v.lower() in value.lower() for v in values) else value
    if isinstance(value, list):
        return [_redacted(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v, values) for k, v in value.items()}
    return value


def audit_values_erase(*, entity_type: str, entity_id: object, values: Iterable[str]) -> int:
    """Take a person's erased values out of the log, keeping every event and what it says
    happened (who, when, which action, which fields): the events about the record, and any
    event whose summary or changes hold one of ``values``, have those values replaced by
    ``[erased]``. Returns how many events changed.

    The one change the log allows, for an erasure the law requires: the events are written
    again under their own ids, since the database refuses updates (deleting stays possible,
    see the trigger's migration). Called inside the erasure's transaction."""
    wanted = {v for v in values if len(v) >= 3}
    about = models.Q(entity_type=entity_type, entity_id=str(entity_id))
    for value in wanted:
        about |= models.Q(summary__icontains=value) | models.Q(changes__icontains=value)
    events = list(AuditEvent.objects.filter(about))
    if not events:
        return 0
    for event in events:
        event.summary = _redacted(event.summary, wanted)
        event.changes = {
            field: ERASED if field in _PERSONAL_FIELDS else _redacted(change, wanted)
            for field, change in event.changes.items()
        }
    # The queryset's own delete refuses, as it should everywhere else.
    models.QuerySet.delete(AuditEvent.objects.filter(pk__in=[e.pk for e in events]))
    AuditEvent.objects.bulk_create(events)
    return len(events)


# Fields whose values an erasure removes from every event about the record, whatever they
# held (a previous email is as personal as the current one).
_PERSONAL_FIELDS = frozenset(
    {"first_name", "middle_name", "last_name", "suffix", "email", "phone", "birth_date"}
)
