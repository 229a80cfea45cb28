"""Frequency caps: how many messages a person may get on a channel in a window."""

from __future__ import annotations

from django.db import transaction

from groundgame.audit.services import Actor, audit_record
from groundgame.audit.services import Kind as AuditKind
from groundgame.core.errors import ValidationFailed
from groundgame.messaging.models import FrequencyCap
from groundgame.messaging.services.mailings import channel_checked


def frequency_cap_set(
    *, actor: Actor, channel: str, max_messages: int, window_hours: int
) -> FrequencyCap:
    ch = channel_checked(channel)
    if not 1 <= max_messages <= 100:
        raise ValidationFailed("Between 1 and 100 messages.", field="max_messages")
    if not 1 <= window_hours <= 24 * 31:
        raise ValidationFailed("A window of 1 hour to 31 days.", field="window_hours")
    with transaction.atomic():
        cap, _ = FrequencyCap.objects.update_or_create(
            channel=ch, defaults={"max_messages": max_messages, "window_hours": window_hours}
        )
        audit_record(
            actor=actor,
            kind=AuditKind.UPDATE,
            action="messaging.frequency_cap_set",
            entity_type="messaging.frequencycap",
            entity_id=cap.pk,
            summary=str(cap),
        )
    return cap
