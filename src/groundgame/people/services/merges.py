"""Merging two records of one person and undoing it, staff's answers to match reviews, and
the registry through which apps above people move their rows of a person in a merge."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core.errors import Conflict, NotFound, ValidationFailed
from groundgame.people import errors
from groundgame.people.models import (
    ExternalId,
    MatchReview,
    Person,
    PersonMerge,
    PersonTag,
    VoterRecord,
)
from groundgame.people.services.persons import person_in_scope


def _staff_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _merge_pair_in_scope(actor: Actor, first_id: int, second_id: int) -> tuple[Person, Person]:
    if first_id == second_id:
        raise ValidationFailed(
            "A person cannot be merged into themselves.",
            code=errors.MERGE_INVALID,
            field="absorbed_id",
        )
    # Lock in id order, so that two merges of one pair cannot deadlock.
    locked = {
        pk: person_in_scope(actor, pk, for_update=True) for pk in sorted((first_id, second_id))
    }
    return locked[first_id], locked[second_id]


# Fields the survivor takes from the absorbed record when it has none of its own.
_MERGE_FILLS = ("middle_name", "suffix", "email", "phone", "birth_date", "household_id")


class MergeMover(Protocol):
    """Moves what an app keeps of one person to another: all of ``person_from``'s rows that
    may move (a merge), or exactly ``ids`` (its undoing). Returns the ids it moved."""

    def __call__(
        self, *, actor: Actor, person_from: int, person_to: int, ids: list[int] | None = None
    ) -> list[int]: ...


# Apps above people that keep rows of a person register a mover when Django starts, so that
# a merge moves their rows too while people imports none of them.
_merge_participants: dict[str, MergeMover] = {}


def person_merge_participant_register(name: str, mover: MergeMover) -> None:
    """Take part in merges: what ``mover`` moves is recorded under ``name`` in
    ``PersonMerge.moved`` and moved back by ``person_unmerge``. The name is stored with every
    merge, so it never changes; registering a name again replaces its mover."""
    _merge_participants[name] = mover


def person_merge(*, actor: Actor, survivor_id: int, absorbed_id: int) -> PersonMerge:
    """Merge two records of one person: everything that points at ``absorbed`` moves to
    ``survivor``, which also takes the absorbed record's details it lacks; the absorbed
    record stays, marked ``merged_into``, so ``person_unmerge`` can undo it exactly.

    Staff may merge only people both inside their units (others are not found).
    """
    with transaction.atomic():
        survivor, absorbed = _merge_pair_in_scope(actor, survivor_id, absorbed_id)
        for person in (survivor, absorbed):
            if person.merged_into_id is not None:
                raise Conflict(
                    f"{person.full_name} (#{person.pk}) was already merged into another record.",
                    code=errors.MERGE_INVALID,
                    field="survivor_id" if person is survivor else "absorbed_id",
                )
        moved: dict[str, Any] = {}
        before = audit.snapshot(survivor)
        fields = {}
        for name in _MERGE_FILLS:
            if not getattr(survivor, name) and getattr(absorbed, name):
                fields[name] = getattr(survivor, name)
                setattr(survivor, name, getattr(absorbed, name))
        if "household_id" in fields and survivor.org_unit_id is None:
            fields["org_unit_id"] = None
            survivor.org_unit_id = absorbed.org_unit_id
        # The survivor's own values before the merge (all empty), to put back on undo.
        moved["fields"] = {
            k: v.isoformat() if isinstance(v, dt.date) else v for k, v in fields.items()
        }
        survivor.save()
        voter = VoterRecord.objects.filter(person_id=absorbed.pk).first()
        if voter is not None and not VoterRecord.objects.filter(person_id=survivor.pk).exists():
            voter.person_id = survivor.pk
            voter.save(update_fields=["person", "updated_at"])
            moved["people_voterrecord"] = [voter.pk]
        moved["people_externalid"] = sorted(
            ExternalId.objects.filter(person_id=absorbed.pk).values_list("pk", flat=True)
        )
        ExternalId.objects.filter(pk__in=moved["people_externalid"]).update(person_id=survivor.pk)
        tags = PersonTag.objects.filter(person_id=absorbed.pk).exclude(
            tag_id__in=PersonTag.objects.filter(person_id=survivor.pk).values("tag_id")
        )
        moved["people_persontag"] = sorted(tags.values_list("pk", flat=True))
        PersonTag.objects.filter(pk__in=moved["people_persontag"]).update(person_id=survivor.pk)
        for name, mover in _merge_participants.items():
            moved[name] = mover(actor=actor, person_from=absorbed.pk, person_to=survivor.pk)
        absorbed_before = audit.snapshot(absorbed)
        absorbed.merged_into = survivor
        absorbed.save(update_fields=["merged_into", "updated_at"])
        merge = PersonMerge.objects.create(
            survivor=survivor,
            absorbed=absorbed,
            moved=moved,
            merged_by=_staff_user(actor),
            merged_at=timezone.now(),
        )
        MatchReview.objects.filter(
            Q(person=absorbed, candidate=survivor) | Q(person=survivor, candidate=absorbed),
            status=MatchReview.Status.OPEN,
        ).update(
            status=MatchReview.Status.MERGED,
            decided_by=merge.merged_by,
            decided_at=merge.merged_at,
        )
        audit.audit_update(actor=actor, action="person.merge", instance=survivor, before=before)
        audit.audit_update(
            actor=actor, action="person.merge", instance=absorbed, before=absorbed_before
        )
        audit.audit_create(
            actor=actor,
            action="person.merge",
            instance=merge,
            summary=f"{absorbed.full_name} #{absorbed.pk} into #{survivor.pk}",
        )
    return merge


def person_unmerge(*, actor: Actor, merge_id: int) -> PersonMerge:
    """Undo a merge exactly: what moved moves back, the survivor's filled-in fields are
    emptied again and the absorbed record is a person of its own once more."""
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().filter(pk=merge_id).first()
        if merge is None:
            raise NotFound("No such merge.", code=errors.MERGE_NOT_FOUND)
        survivor, absorbed = _merge_pair_in_scope(actor, merge.survivor_id, merge.absorbed_id)
        if merge.undone_at is not None:
            raise Conflict("This merge was already undone.", code=errors.MERGE_INVALID)
        if PersonMerge.objects.filter(
            Q(absorbed=survivor) | Q(survivor=survivor), undone_at=None, pk__gt=merge.pk
        ).exists():
            raise Conflict(
                "A later merge involves this person; undo it first.", code=errors.MERGE_INVALID
            )
        moved = merge.moved
        before = audit.snapshot(survivor)
        for name, value in moved.get("fields", {}).items():
            if name == "birth_date" and value:
                value = dt.date.fromisoformat(value)
            setattr(survivor, name, value)
        survivor.save()
        VoterRecord.objects.filter(pk__in=moved.get("people_voterrecord", [])).update(
            person_id=absorbed.pk
        )
        ExternalId.objects.filter(pk__in=moved.get("people_externalid", [])).update(
            person_id=absorbed.pk
        )
        PersonTag.objects.filter(pk__in=moved.get("people_persontag", [])).update(
            person_id=absorbed.pk
        )
        for name, mover in _merge_participants.items():
            mover(
                actor=actor, person_from=survivor.pk, person_to=absorbed.pk, ids=moved.get(name, [])
            )
        absorbed_before = audit.snapshot(absorbed)
        absorbed.merged_into = None
        absorbed.save(update_fields=["merged_into", "updated_at"])
        merge.undone_by = _staff_user(actor)
        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_by", "undone_at"])
        audit.audit_update(actor=actor, action="person.unmerge", instance=survivor, before=before)
        audit.audit_update(
            actor=actor, action="person.unmerge", instance=absorbed, before=absorbed_before
        )
    return merge


def match_review_decide(
    *, actor: Actor, review_id: int, decision: str, survivor_id: int | None = None
) -> MatchReview:
    """Staff's answer to a review: ``merged`` (into ``survivor_id``, one of the two) or
    ``distinct`` (two people)."""
    with transaction.atomic():
        review = MatchReview.objects.select_for_update().filter(pk=review_id).first()
        if review is None:
            raise NotFound("No such review.", code=errors.REVIEW_NOT_FOUND)
        _merge_pair_in_scope(actor, review.person_id, review.candidate_id)
        if review.status != MatchReview.Status.OPEN:
            raise Conflict("This review was already decided.", code=errors.REVIEW_DECIDED)
        pair = (review.person_id, review.candidate_id)
        if decision == MatchReview.Status.MERGED:
            if survivor_id not in pair:
                raise ValidationFailed(
                    "The survivor must be one of the two people.",
                    code=errors.MERGE_INVALID,
                    field="survivor_id",
                )
            absorbed_id = pair[1] if survivor_id == pair[0] else pair[0]
            person_merge(actor=actor, survivor_id=survivor_id, absorbed_id=absorbed_id)
            review.refresh_from_db()
            return review
        if decision != MatchReview.Status.DISTINCT:
            raise ValidationFailed(
                "The decision is 'merged' or 'distinct'.",
                code=errors.REVIEW_INVALID,
                field="decision",
            )
        before = audit.snapshot(review)
        review.status = MatchReview.Status.DISTINCT
        review.decided_by = _staff_user(actor)
        review.decided_at = timezone.now()
        review.save()
        audit.audit_update(
            actor=actor, action="match_review.decide", instance=review, before=before
        )
    return review
