"""Merging two records of one person and undoing it, staff's answers to match reviews, and
the registry through which apps above people move their rows of a person in a merge."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Field, Model, Q
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
    may move (a merge), or exactly what a merge recorded (its undoing, ``record``). Returns
    what it did as JSON values (usually the ids it moved), stored with the merge."""

    def __call__(
        self, *, actor: Actor, person_from: int, person_to: int, record: list[Any] | None = None
    ) -> list[Any]: ...


# Apps above people that keep rows of a person register a mover when Django starts, so that
# a merge moves their rows too while people imports none of them.
_merge_participants: dict[str, MergeMover] = {}

# Every foreign key to a person, as "app_label.Model.field", and what a merge does with it:
# the participant that moves its rows, or why they stay. A merge that left rows behind on the
# absorbed record without saying so would let a message reach someone who left under that
# record; the test of merges fails for a key nobody declared.
_merge_coverage: dict[str, str] = {
    "people.VoterRecord.person": "people",
    "people.ExternalId.person": "people",
    "people.PersonTag.person": "people",
    "people.Person.merged_into": "stays: the link from an absorbed record to its survivor",
    "people.MatchReview.person": "stays: a review is about the pair as it was found",
    "people.MatchReview.candidate": "stays: a review is about the pair as it was found",
    "people.PersonMerge.survivor": "stays: the merge's own record",
    "people.PersonMerge.absorbed": "stays: the merge's own record",
}


def person_merge_participant_register(
    name: str, mover: MergeMover, *, covers: tuple[str, ...] = ()
) -> None:
    """Take part in merges: what ``mover`` returns is recorded under ``name`` in
    ``PersonMerge.moved`` and handed back to it by ``person_unmerge``. The name is stored with
    every merge, so it never changes; registering a name again replaces its mover. ``covers``
    names the foreign keys to a person ("app_label.Model.field") whose rows it takes care of."""
    _merge_participants[name] = mover
    for key in covers:
        _merge_coverage[key] = name


def person_merge_rows_register(
    name: str, *, model: type[Model], field: str = "person", unique_with: tuple[str, ...] = ()
) -> None:
    """Take part in merges with rows that simply follow the person: ``model``'s rows whose
    ``field`` is the absorbed record move to the survivor. Where ``field`` and ``unique_with``
    together are unique, a row the survivor already has stands, and the absorbed record keeps
    its own (one person signs up for a shift once); an undo moves back exactly what moved."""
    person_merge_participant_register(
        name,
        _RowsMover(model=model, field=field, unique_with=unique_with),
        covers=(f"{model._meta.label}.{field}",),
    )


def person_merge_field_stays(key: str, *, reason: str) -> None:
    """Declare that a merge leaves the rows of a foreign key to a person ("app_label.Model.field")
    where they are, and why (a record of who did something, say, rather than whom it is for)."""
    _merge_coverage[key] = f"stays: {reason}"


def person_merge_coverage() -> dict[str, str]:
    """What a merge does with each foreign key to a person that has been declared: the
    participant moving its rows, or "stays: <why>"."""
    return dict(_merge_coverage)


def _column(model: type[Model], name: str) -> str:
    found = model._meta.get_field(name)
    assert isinstance(found, Field), f"{model._meta.label}.{name} is not a column"
    return found.attname


class _RowsMover:
    """The mover of ``person_merge_rows_register``."""

    def __init__(self, *, model: type[Model], field: str, unique_with: tuple[str, ...]) -> None:
        self.model = model
        self.column = _column(model, field)
        self.unique_with = tuple(_column(model, name) for name in unique_with)

    def __call__(
        self, *, actor: Actor, person_from: int, person_to: int, record: list[Any] | None = None
    ) -> list[Any]:
        manager = self.model._default_manager
        rows = manager.filter(**{self.column: person_from})
        if record is not None:
            moved = sorted(rows.filter(pk__in=record).values_list("pk", flat=True))
        elif self.unique_with:
            taken = set(manager.filter(**{self.column: person_to}).values_list(*self.unique_with))
            moved = sorted(
                pk
                for pk, *key in rows.values_list("pk", *self.unique_with)
                if tuple(key) not in taken
            )
        else:
            moved = sorted(rows.values_list("pk", flat=True))
        if moved:
            manager.filter(pk__in=moved).update(**{self.column: person_to})
            audit.audit_record(
                actor=actor,
                kind=audit.Kind.UPDATE,
                action="person.merge_rows",
                entity_type=self.model._meta.label_lower,
                entity_id=person_to,
                summary=f"{len(moved)} moved from person {person_from}",
                changes={self.column: [person_from, person_to], "ids": [None, moved]},
            )
        return moved


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
                actor=actor,
                person_from=survivor.pk,
                person_to=absorbed.pk,
                record=moved.get(name, []),
            )
        absorbed_before = audit.snapshot(absorbed)
        absorbed.merged_into = None
        absorbed.save(update_fields=["merged_into", "updated_at"])
        merge.undone_by = _staff_user(actor)
        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_by", "undone_at"])
        MatchReview.objects.filter(
            Q(person=absorbed, candidate=survivor) | Q(person=survivor, candidate=absorbed),
            status=MatchReview.Status.MERGED,
        ).update(
            status=MatchReview.Status.UNDONE, decided_by=merge.undone_by, decided_at=merge.undone_at
        )
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
