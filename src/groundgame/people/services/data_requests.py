"""A person's requests about their data: everything held about them as one JSON document,
and erasure. Each app above people that keeps rows about a person takes part through the
registries here and in ``people.selectors`` (filled in its ``AppConfig.ready()``), so people
imports none of them. Both are for national admins only, and both are audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from groundgame.audit import selectors as audit_selectors
from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core.errors import NotFound, PermissionDenied, ValidationFailed
from groundgame.organizing import selectors as organizing
from groundgame.people import erased, errors, selectors
from groundgame.people.models import (
    ErasedIdentity,
    ExternalId,
    MatchReview,
    Person,
    VoterImportRowError,
    VoterRecord,
)
from groundgame.people.voterfile.parse import external_voter_id


class PersonEraser(Protocol):
    """Removes what an app keeps about a person that could identify them (free text, copies
    of their details); called before people removes the person's own fields, so it can still
    read them (consent suppresses their addresses). Returns how many rows it changed."""

    def __call__(self, *, actor: Actor, person_id: int) -> int: ...


_erasers: dict[str, PersonEraser] = {}


def person_eraser_register(name: str, eraser: PersonEraser) -> None:
    """Take part in erasures; what ``eraser`` changed is counted under ``name`` in the
    erasure's audit row. Registering a name again replaces its eraser."""
    _erasers[name] = eraser


class PersonReturned(Protocol):
    """Keeps people found to be someone erased on request from being contacted (consent puts
    them on do-not-contact); returns how many it changed."""

    def __call__(self, *, person_ids: list[int]) -> int: ...


_returned: dict[str, PersonReturned] = {}


def person_returned_register(name: str, hook: PersonReturned) -> None:
    """Be told of the people found to be someone erased on request. Registering a name again
    replaces its hook."""
    _returned[name] = hook


def people_erased_catch(*, person_ids: Iterable[int], source: str) -> list[int]:
    """Of these people (just created or given a new identifier by ``source``), those who carry
    an identifier of someone erased on request: each registered hook is told of them, so they
    are never contacted. Returns their ids."""
    if not erased.any_erased():
        return []
    keys = erased.keys_by_person(person_ids)
    return _returned_tell(keys, source)


def voters_erased_catch(
    *, state: str, voters: Iterable[tuple[str, str, str]], source: str
) -> list[int]:
    """The voter-file rows ``(state voter id, email, phone)`` of one batch, loaded: the people
    on file for those who carry an identifier of someone erased on request, told to each
    registered hook as ``people_erased_catch`` does."""
    if not erased.any_erased():
        return []
    by_voter = {
        voter_id: erased.keys_of(
            email=email,
            phone=phone,
            external_ids=[(ExternalId.System.STATE_VOTER, external_voter_id(state, voter_id))],
        )
        for voter_id, email, phone in voters
    }
    hits = erased.erased_among(set().union(*by_voter.values()))
    returned = [voter_id for voter_id, keys in by_voter.items() if keys & hits]
    if not returned:
        return []
    person_ids = VoterRecord.objects.filter(state=state, state_voter_id__in=returned).values_list(
        "person_id", flat=True
    )
    return _returned_tell(erased.keys_by_person(person_ids), source)


def _returned_tell(keys: dict[int, set[str]], source: str) -> list[int]:
    hits = erased.erased_among(set().union(*keys.values())) if keys else set()
    found = sorted(pk for pk, mine in keys.items() if mine & hits)
    if not found:
        return []
    changed = {name: hook(person_ids=found) for name, hook in _returned.items()}
    audit.audit_record(
        actor=None,
        kind=audit.Kind.UPDATE,
        action="person.erased_returned",
        entity_type="people.person",
        entity_id=found[0] if len(found) == 1 else "",
        summary=f"{len(found)} from {source} carry an identifier of someone erased on request",
        changes={name: [None, count] for name, count in changed.items()},
    )
    return found


def _national_admin(actor: Actor, what: str) -> None:
    # The command line runs as the system (``actor=None``), whose scope is the whole campaign.
    if not organizing.staff_scope(actor).is_admin:
        raise PermissionDenied(
            f"Only national admins {what} a person's data.", code=errors.DATA_REQUEST_DENIED
        )


def _person(person_id: int, *, for_update: bool = False) -> Person:
    people = Person.objects.select_related("household", "voter_record")
    if for_update:
        people = people.select_for_update(of=("self",))
    person = people.filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"No person #{person_id}.", code=errors.PERSON_NOT_FOUND)
    return person


def person_export(*, actor: Actor, person_id: int) -> dict[str, Any]:
    """Everything held about a person, as JSON-ready values: people's own rows, each
    registered app's part under its name, and the audit log's events about them."""
    _national_admin(actor, "export")
    with transaction.atomic():
        person = _person(person_id)
        document: dict[str, Any] = {
            "exported_at": timezone.now().isoformat(),
            "person": audit.snapshot(person),
            "household": audit.snapshot(person.household) if person.household else None,
            "voter_record": None,
            "external_ids": [audit.snapshot(e) for e in person.external_ids.all()],
            "tags": list(person.tags.values_list("tag__name", flat=True)),
        }
        voter = getattr(person, "voter_record", None)
        if voter is not None:
            document["voter_record"] = {
                **audit.snapshot(voter),
                "history": [
                    audit.snapshot(h, ["election_date", "election_name", "method"])
                    for h in voter.history.order_by("election_date")
                ],
            }
        for name, part in selectors.person_export_parts().items():
            document[name] = part(person.pk)
        document["audit"] = [
            audit.snapshot(
                e, ["at", "actor_label", "kind", "action", "summary", "changes", "request_id"]
            )
            for e in audit_selectors.audit_events_about("people.person", person.pk)
        ]
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.READ,
            action="person.export",
            entity_type="people.person",
            entity_id=person.pk,
            summary="Everything held about them, exported on request",
        )
    return document


@dataclass(frozen=True)
class PersonErasure:
    person_id: int
    # Rows changed, by people ("people") and by each registered app's name.
    changed: dict[str, int]


# What an erasure removes from the person's own record.
_ERASED_FIELDS = {
    "first_name": "",
    "middle_name": "",
    "last_name": "",
    "suffix": "",
    "email": "",
    "phone": "",
    "birth_date": None,
    "household": None,
}


def person_erase(*, actor: Actor, person_id: int, reason: str) -> PersonErasure:
    """Erase a person on their request: their names, email, phone, birth date and address
    link, their voter record and ids in other systems, and what every registered app keeps
    of them, removed; they stay on do-not-contact (consent's eraser), and keyed hashes of
    their identifiers catch a record that brings them back (``people_erased_catch``), so
    they are never contacted again. The record itself stays, empty
    and marked erased, so the audit log's events still point at something; those events keep
    who did what and when, but not the erased values."""
    _national_admin(actor, "erase")
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(
            "Say which request this is (its date, or where it came from).",
            code=errors.DATA_REQUEST_INVALID,
            field="reason",
        )
    with transaction.atomic():
        person = _person(person_id, for_update=True)
        if person.erased_at is not None:
            raise ValidationFailed(
                f"Person #{person_id} was erased already.",
                code=errors.DATA_REQUEST_INVALID,
                field="person_id",
            )
        values = [person.full_name, person.email, person.phone]
        # What makes them known again if a later import or sign-up brings them back, kept
        # as keyed hashes before the values go.
        kept = erased.keys_by_person([person.pk])[person.pk]
        ErasedIdentity.objects.bulk_create(
            [ErasedIdentity(key=key, created_at=timezone.now()) for key in kept],
            ignore_conflicts=True,
        )
        changed = {
            name: eraser(actor=actor, person_id=person.pk) for name, eraser in _erasers.items()
        }
        people_rows = VoterRecord.objects.filter(person=person).delete()[0]
        people_rows += ExternalId.objects.filter(person=person).delete()[0]
        people_rows += person.tags.all().delete()[0]
        # A review's evidence holds both records' values side by side.
        people_rows += MatchReview.objects.filter(Q(person=person) | Q(candidate=person)).delete()[
            0
        ]
        for name, value in _ERASED_FIELDS.items():
            setattr(person, name, value)
        person.erased_at = timezone.now()
        person.save()
        changed["people"] = people_rows + 1
        changed["audit"] = audit.audit_values_erase(
            entity_type="people.person", entity_id=person.pk, values=[v for v in values if v]
        )
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.DELETE,
            action="person.erase",
            entity_type="people.person",
            entity_id=person.pk,
            summary=f"Erased on request: {reason}",
            changes={name: [None, count] for name, count in changed.items()},
        )
    return PersonErasure(person_id=person.pk, changed=changed)


def voter_import_rejections_purge(*, before: dt.datetime) -> int:
    """Delete the rejected lines (the file's own, names and addresses included) of voter
    imports started before ``before``; the runs and their counts stay. Returns how many."""
    with transaction.atomic():
        deleted, _ = VoterImportRowError.objects.filter(run__created_at__lt=before).delete()
        if deleted:
            audit.audit_record(
                actor=None,
                kind=audit.Kind.DELETE,
                action="voter_import.rejections_purge",
                entity_type="people.voterimportrowerror",
                summary=f"{deleted} rejected lines of imports before {before:%Y-%m-%d} deleted",
            )
    return deleted
