"""Volunteers' part in a person's requests about their data (see
``people.services.person_export`` and ``person_erase``): their sign-ups, follow-ups with the
calls made to them, and memberships."""

from __future__ import annotations

from typing import Any

from groundgame.audit.services import Actor, snapshot
from groundgame.volunteers.models import FollowUp, FollowUpAttempt, Membership, SignupSubmission


def person_part(person_id: int) -> dict[str, Any]:
    follow_ups = FollowUp.objects.filter(person_id=person_id).prefetch_related("attempts")
    return {
        "signups": [
            {**snapshot(s), "form": s.form.title}
            for s in SignupSubmission.objects.filter(person_id=person_id).select_related("form")
        ],
        "follow_ups": [
            {**snapshot(f), "calls": [snapshot(a) for a in f.attempts.all()]} for f in follow_ups
        ],
        "memberships": [
            {**snapshot(m), "org_unit": m.org_unit.name}
            for m in Membership.objects.filter(person_id=person_id).select_related("org_unit")
        ],
    }


def person_erase(*, actor: Actor, person_id: int) -> int:
    """The sign-ups' copies of what they typed (name, email, phone, answers) and the notes of
    calls to them go; that they signed up and were called stays, for the counts."""
    changed = SignupSubmission.objects.filter(person_id=person_id).update(payload={}, answers={})
    changed += (
        FollowUpAttempt.objects.filter(follow_up__person_id=person_id)
        .exclude(note="")
        .update(note="")
    )
    return changed
