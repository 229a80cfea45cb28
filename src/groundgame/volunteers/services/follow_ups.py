"""The follow-up queue: organizers mark their new volunteers contacted."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.organizing.selectors import staff_scope
from groundgame.volunteers import errors
from groundgame.volunteers.models import FollowUp


def follow_up_contact(*, actor: Actor, follow_up_id: int, note: str = "") -> FollowUp:
    """Mark a new volunteer contacted; only staff of their unit (or above) may."""
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update()
            .select_related("org_unit")
            .filter(pk=follow_up_id)
            .first()
        )
        if follow_up is None or not staff_scope(actor).covers(follow_up.org_unit.path):
            raise errors.NotFound(
                "No such volunteer in your queue.", code=errors.FOLLOW_UP_NOT_FOUND
            )
        if follow_up.contacted_at is not None:
            return follow_up
        before = audit.snapshot(follow_up)
        follow_up.contacted_at = timezone.now()
        follow_up.contacted_by = actor if isinstance(actor, User) else None
        follow_up.note = note.strip()[:500]
        follow_up.save()
        audit.audit_update(
            actor=actor, action="follow_up.contact", instance=follow_up, before=before
        )
    return follow_up
