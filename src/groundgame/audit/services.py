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
