"""Every write of the people app, and opening a personal record (which is logged)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import addfips
import email_validator
import phonenumbers
import zipcodes
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from groundgame.organizing import selectors as organizing
from groundgame.people import (
    errors,
    identity,
    linkage,
    universes,
)
from groundgame.people.models import (
    ExternalId,
    Household,
    MatchReview,
    Person,
    PersonMerge,
    PersonTag,
    Universe,
    VoterRecord,
)
from groundgame.people.voterfile import bulk
from groundgame.people.voterfile import run as voterfile_run

# The rows of a bulk load, for loaders outside the app.
HouseholdRow = bulk.HouseholdRow
PersonRow = bulk.PersonRow
VoterRow = bulk.VoterRow
HistoryRow = bulk.HistoryRow
VoterFileBatch = bulk.VoterFileBatch

_FIPS = addfips.AddFIPS()
_EDITABLE = ("first_name", "middle_name", "last_name", "suffix", "email", "phone", "birth_date")


def normalize_email(value: str) -> str:
    return value.strip().lower()


def email_checked(value: str, *, field: str = "email") -> str:
    """An email address checked for form (RFC 5322 syntax, a domain with a dot; no DNS
    lookup) and lowercased as people are matched on it; raises naming the field."""
    try:
        checked = email_validator.validate_email(value.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        raise ValidationFailed(
            f"{value.strip()!r} is not an email address: {exc}",
            code=errors.PERSON_INVALID,
            field=field,
        ) from None
    return normalize_email(checked.normalized)


def normalize_phone(value: str, *, field: str = "phone") -> str:
    """A phone number in E.164 (+19195550123); US numbers may be written without +1.
    Empty stays empty; a number no carrier could have raises naming the field."""
    text = value.strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationFailed(
            f"{value!r} is not a phone number (a US number has 10 digits, area code first; "
            "others start with + and the country code).",
            code=errors.PERSON_INVALID,
            field=field,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def person_fields_clean(**fields: Any) -> dict[str, Any]:
    """The person fields normalized as ``person_find_or_create`` stores them, writing nothing:
    for an intake that accepts a record now and resolves it later. Raises the same
    ``ValidationFailed`` naming the field."""
    return _clean_person_fields(fields)


def _clean_person_fields(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in _EDITABLE:
            raise ValidationFailed(
                f"{name!r} is not a field of a person.", code=errors.PERSON_INVALID, field=name
            )
        if name == "birth_date":
            if value in (None, ""):
                cleaned[name] = None
                continue
            if isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    raise ValidationFailed(
                        f"{value!r} is not a date (YYYY-MM-DD).",
                        code=errors.PERSON_INVALID,
                        field=name,
                    ) from None
            if value > dt.date.today() or value.year < 1900:
                raise ValidationFailed(
                    "The date of birth is not plausible.", code=errors.PERSON_INVALID, field=name
                )
            cleaned[name] = value
            continue
        text = (value or "").strip()
        if name == "email" and text:
            text = email_checked(text, field=name)
        if name == "phone":
            text = normalize_phone(text)
        max_length = getattr(Person._meta.get_field(name), "max_length", None)
        if max_length and len(text) > max_length:
            raise ValidationFailed(
                f"At most {max_length} characters.", code=errors.PERSON_INVALID, field=name
            )
        cleaned[name] = text
    return cleaned


def person_create(
    *,
    actor: Actor,
    first_name: str,
    last_name: str,
    household: Household | None = None,
    org_unit_id: int | None = None,
    **fields: Any,
) -> Person:
    cleaned = _clean_person_fields({"first_name": first_name, "last_name": last_name, **fields})
    for required in ("first_name", "last_name"):
        if not cleaned[required]:
            raise ValidationFailed(
                "This field is required.", code=errors.PERSON_INVALID, field=required
            )
    with transaction.atomic():
        person = Person.objects.create(household=household, org_unit_id=org_unit_id, **cleaned)
        audit.audit_create(actor=actor, action="person.create", instance=person)
    return person


def person_update(*, actor: Actor, person_id: int, **fields: Any) -> Person:
    """Change a person's own fields; only staff whose units contain them may."""
    cleaned = _clean_person_fields(fields)
    with transaction.atomic():
        person = _person_in_scope(actor, person_id, for_update=True)
        before = audit.snapshot(person)
        for name, value in cleaned.items():
            setattr(person, name, value)
        person.save()
        audit.audit_update(actor=actor, action="person.update", instance=person, before=before)
    return person


def person_open(*, actor: Actor, person_id: int) -> Person:
    """A person's record for a staff member, logged as a read.

    Someone outside the staff member's units is reported as not found, so that scope does not
    leak who is in the file.
    """
    with transaction.atomic():
        person = _person_in_scope(actor, person_id)
        audit.audit_read(
            actor=actor, entity_type="people.person", entity_id=person.pk, summary=person.full_name
        )
    return person


def _person_in_scope(actor: Actor, person_id: int, *, for_update: bool = False) -> Person:
    scope = organizing.staff_scope(actor)
    people = Person.objects.select_related("household", "org_unit", "voter_record")
    if for_update:
        people = people.select_for_update(of=("self",))
    person = people.filter(scope.person_filter(), pk=person_id).first()
    if person is None:
        raise NotFound("No such person in your units.", code=errors.PERSON_NOT_FOUND)
    return person


def voter_file_bulk_load(*, actor: Actor, batch: bulk.VoterFileBatch) -> bulk.LoadedBatch:
    """Insert a batch of households, people, voter records and vote history at once.

    For loaders of whole files: no per-row validation or audit (the rows come from a loader
    that checked them); one audit row says what the batch held.
    """
    with transaction.atomic():
        loaded = bulk.load(batch)
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.BULK,
            action="voter_file.bulk_load",
            entity_type="people.person",
            summary=(
                f"{len(batch.people)} voters in {len(batch.households)} households with "
                f"{len(batch.history)} ballots of vote history"
            ),
        )
    return loaded


def household_person_bulk_create(
    *, actor: Actor, rows: Sequence[tuple[bulk.HouseholdRow, bulk.PersonRow]], what: str
) -> list[int]:
    """Insert people who are not on the voter file, each at an address of their own (a donor
    or contact list brought in whole); returns their person ids in order.

    Two bulk inserts and one audit row saying ``what`` they are, for the loaders of lists of
    thousands, where one ``person_create`` each would take a minute. The people's own
    ``household`` index is ignored: each gets the household beside it in ``rows``.
    """
    with transaction.atomic():
        households = Household.objects.bulk_create(Household(**h._asdict()) for h, _ in rows)
        people = Person.objects.bulk_create(
            Person(**{**p._asdict(), "household": household})
            for household, (_, p) in zip(households, rows, strict=True)
        )
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.BULK,
            action="person.bulk_create",
            entity_type="people.person",
            summary=f"{len(people)} {what}",
        )
    return [p.pk for p in people]


# Identity resolution: find-or-create, merges and the crosswalk ----------------------------


@dataclass(frozen=True)
class FindOrCreateResult:
    person: Person
    created: bool
    # The match probability of the person found (1.0 for an external id), or of the best
    # candidate when a new person was created (0.0 when there was none).
    score: float
    # The review opened when a candidate was too close to call.
    review: MatchReview | None


def _external_system(system: str) -> str:
    if system not in ExternalId.System.values:
        raise ValidationFailed(
            f"{system!r} is not a known system ({', '.join(ExternalId.System.values)}).",
            code=errors.EXTERNAL_ID_INVALID,
            field="system",
        )
    return system


def _survivor(person: Person) -> Person:
    """Follow merges to the record that stands for the person now."""
    seen = {person.pk}
    while person.merged_into_id is not None and person.merged_into_id not in seen:
        seen.add(person.merged_into_id)
        person = Person.objects.select_related("household").get(pk=person.merged_into_id)
    return person


def _household_for(*, street: str, city: str, state: str, zip5: str) -> Household | None:
    """The household at an address, created if new; None without a street and ZIP."""
    if not (street.strip() and zip5):
        return None
    found = Household.objects.filter(
        state=state, zip5=zip5, street__iexact=street.strip(), unit=""
    ).first()
    if found is not None:
        return found
    places = zipcodes.matching(zip5) if len(zip5) == 5 else []  # type: ignore[no-untyped-call]
    place = places[0] if places else None
    county = ""
    if place is not None:
        state = state or place["state"]
        city = city or place["city"].title()
        county = _FIPS.get_county_fips(place["county"], state=place["state"]) or ""
    return Household.objects.create(
        street=street.strip(), city=city.strip(), state=state, zip5=zip5, county_fips=county
    )


def person_find_or_create(
    *,
    actor: Actor,
    source: str,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    birth_date: dt.date | None = None,
    street: str = "",
    city: str = "",
    state: str = "",
    zip5: str = "",
    external: tuple[str, str] | None = None,
) -> FindOrCreateResult:
    """The person an intake (sign-up, donation, import row) describes, created if new.

    In order: the external id, if the crosswalk knows it; a unique person with the same
    email or phone whose names agree; the best-scoring candidate of the matching model if
    its probability is at least ``identity.AUTO_LINK``. Otherwise a new person, and if the
    best candidate scored at least ``identity.REVIEW``, a ``MatchReview`` for staff. The same
    input twice finds the same person (the first call's person is the best match of the
    second). The external id, if given, is recorded on the person either way.
    """
    cleaned = _clean_person_fields(
        {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "phone": phone,
            "birth_date": birth_date,
        }
    )
    for required in ("first_name", "last_name"):
        if not cleaned[required]:
            raise ValidationFailed(
                "This field is required.", code=errors.PERSON_INVALID, field=required
            )
    zip5 = zip5.strip()
    if zip5 and not re.fullmatch(r"\d{5}", zip5):
        raise ValidationFailed(
            f"{zip5!r} is not a 5-digit ZIP code.", code=errors.PERSON_INVALID, field="zip5"
        )
    state = state.strip().upper()
    if state and not re.fullmatch(r"[A-Z]{2}", state):
        raise ValidationFailed(
            f"{state!r} is not a 2-letter state code.", code=errors.PERSON_INVALID, field="state"
        )
    if external is not None:
        external = (_external_system(external[0]), external[1].strip())
        if not external[1]:
            raise ValidationFailed(
                "The external id is empty.", code=errors.EXTERNAL_ID_INVALID, field="external"
            )
    query = identity.record(
        first_name=cleaned["first_name"],
        last_name=cleaned["last_name"],
        birth_date=cleaned["birth_date"],
        street=street,
        city=city,
        state=state,
        zip5=zip5,
        email=cleaned["email"],
        phone=cleaned["phone"],
    )
    with transaction.atomic():
        identity.lock(query, external)
        if external is not None:
            known = (
                ExternalId.objects.select_related("person__household")
                .filter(system=external[0], external_id=external[1])
                .first()
            )
            if known is not None:
                return _linked(actor, source, _survivor(known.person), 1.0, "external id")
        scored = []
        for candidate in identity.candidates(query):
            evidence = identity.compare(query, identity.person_record(candidate))
            scored.append((identity.probability(evidence), candidate.pk, candidate, evidence))
        scored.sort(key=lambda s: (-s[0], s[1]))
        for field in ("email", "phone"):
            value = getattr(query, field)
            hits = [s for s in scored if value and getattr(s[2], field) == value]
            if len(hits) == 1 and identity.names_agree(hits[0][3]):
                return _linked(actor, source, hits[0][2], hits[0][0], field, external)
        best = scored[0] if scored else None
        if best is not None and (
            best[0] >= identity.AUTO_LINK or identity.person_record(best[2]) == query
        ):
            return _linked(actor, source, best[2], best[0], "match", external)
        household = _household_for(street=street, city=city, state=state, zip5=zip5)
        unit = organizing.org_unit_for_county(household.county_fips) if household else None
        person = Person.objects.create(
            household=household, org_unit_id=unit.pk if unit else None, **cleaned
        )
        audit.audit_create(
            actor=actor, action="person.create", instance=person, summary=f"from {source}"
        )
        if external is not None:
            _external_id_add(actor, person, *external)
        review = None
        if best is not None and best[0] >= identity.REVIEW:
            review = MatchReview.objects.create(
                person=person,
                candidate=best[2],
                score=best[0],
                evidence={f: e.as_dict() for f, e in best[3].items()},
                source=source[:60],
            )
            audit.audit_create(actor=actor, action="match_review.open", instance=review)
    return FindOrCreateResult(
        person=person, created=True, score=best[0] if best else 0.0, review=review
    )


def _linked(
    actor: Actor,
    source: str,
    person: Person,
    score: float,
    how: str,
    external: tuple[str, str] | None = None,
) -> FindOrCreateResult:
    if external is not None:
        _external_id_add(actor, person, *external)
    audit.audit_record(
        actor=actor,
        kind=audit.Kind.READ,
        action="person.find",
        entity_type="people.person",
        entity_id=person.pk,
        summary=f"{source}: found by {how} ({score:.3f})",
    )
    return FindOrCreateResult(person=person, created=False, score=score, review=None)


def _external_id_add(actor: Actor, person: Person, system: str, external_id: str) -> ExternalId:
    row, created = ExternalId.objects.get_or_create(
        system=system, external_id=external_id, defaults={"person": person}
    )
    if not created and _survivor(row.person).pk != person.pk:
        raise Conflict(
            f"{row.get_system_display()} id {external_id} belongs to another person "
            f"(#{row.person_id}).",
            code=errors.EXTERNAL_ID_TAKEN,
            field="external_id",
        )
    if created:
        audit.audit_create(actor=actor, action="external_id.link", instance=row)
    return row


def external_id_link(*, actor: Actor, person_id: int, system: str, external_id: str) -> ExternalId:
    """Record a person's id in another system; linking it again to them changes nothing.

    An id already linked to someone else is a ``Conflict`` (two people cannot share one):
    merge the two if they are one person.
    """
    system = _external_system(system)
    external_id = external_id.strip()
    if not external_id or len(external_id) > 100:
        raise ValidationFailed(
            "An external id is 1 to 100 characters.",
            code=errors.EXTERNAL_ID_INVALID,
            field="external_id",
        )
    with transaction.atomic():
        person = _person_in_scope(actor, person_id, for_update=True)
        return _external_id_add(actor, person, system, external_id)


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
        pk: _person_in_scope(actor, pk, for_update=True) for pk in sorted((first_id, second_id))
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


# Universes: saved audiences, their counts and their exports ---------------------------------


def _universe_fields(name: str, description: str) -> tuple[str, str]:
    name = " ".join(name.split())
    description = description.strip()
    if not name:
        raise ValidationFailed(
            "Give the universe a name.", code=errors.UNIVERSE_INVALID, field="name"
        )
    for field, value, limit in (("name", name, 120), ("description", description, 300)):
        if len(value) > limit:
            raise ValidationFailed(
                f"At most {limit} characters.", code=errors.UNIVERSE_INVALID, field=field
            )
    return name, description


def _name_taken(name: str) -> Conflict:
    return Conflict(
        f"There is already a universe named {name!r}.",
        code=errors.UNIVERSE_NAME_TAKEN,
        field="name",
    )


def universe_save(
    *,
    actor: Actor,
    name: str,
    filters: Mapping[str, Any],
    description: str = "",
    universe_id: int | None = None,
) -> Universe:
    """Create a universe, or change the one ``universe_id`` names, counted as it is saved.

    Names are unique whatever their case, so that a list of universes reads unambiguously.
    """
    name, description = _universe_fields(name, description)
    spec = universes.parse(filters)
    # Counted before the transaction: a count on a state's file takes a moment, and holding
    # the write lock for it would make other writers wait.
    total = universes.count(spec)
    try:
        with transaction.atomic():
            others = Universe.objects.filter(name__iexact=name)
            if universe_id is not None:
                others = others.exclude(pk=universe_id)
            if others.exists():
                raise _name_taken(name)
            if universe_id is None:
                universe = Universe.objects.create(
                    name=name,
                    description=description,
                    filters=spec.to_json(),
                    created_by_id=actor.pk if actor and actor.is_authenticated else None,
                    last_count=total,
                    counted_at=timezone.now(),
                )
                audit.audit_create(actor=actor, action="universe.create", instance=universe)
                return universe
            universe = _universe_for_update(universe_id)
            before = audit.snapshot(universe)
            universe.name = name
            universe.description = description
            universe.filters = spec.to_json()
            universe.last_count = total
            universe.counted_at = timezone.now()
            universe.save()
            audit.audit_update(
                actor=actor, action="universe.update", instance=universe, before=before
            )
            return universe
    except IntegrityError:
        # Two saves of the same new name at once: the unique index decides, the loser is told.
        raise _name_taken(name) from None


def _universe_for_update(universe_id: int) -> Universe:
    universe = Universe.objects.select_for_update().filter(pk=universe_id).first()
    if universe is None:
        raise NotFound("No such universe.", code=errors.UNIVERSE_NOT_FOUND)
    return universe


def universe_delete(*, actor: Actor, universe_id: int) -> None:
    """Delete a universe; its creator and national admins may."""
    scope = organizing.staff_scope(actor)
    with transaction.atomic():
        universe = _universe_for_update(universe_id)
        if not scope.is_admin and universe.created_by_id != scope.user_id:
            raise PermissionDenied("Only whoever made this universe, or an admin, may delete it.")
        audit.audit_delete(actor=actor, action="universe.delete", instance=universe)
        universe.delete()


def universe_recount(*, actor: Actor, universe_id: int) -> Universe:
    """Count a saved universe again and keep the count with when it was taken."""
    universe = Universe.objects.filter(pk=universe_id).first()
    if universe is None:
        raise NotFound("No such universe.", code=errors.UNIVERSE_NOT_FOUND)
    total = universes.count(universes.parse(universe.filters))
    with transaction.atomic():
        universe = _universe_for_update(universe_id)
        before = audit.snapshot(universe)
        universe.last_count = total
        universe.counted_at = timezone.now()
        universe.save(update_fields=["last_count", "counted_at", "updated_at"])
        audit.audit_update(actor=actor, action="universe.recount", instance=universe, before=before)
    return universe


@dataclass(frozen=True)
class UniverseExport:
    universe: Universe
    rows: int
    header: tuple[str, ...]
    # Read lazily, in chunks: consume it once, while the response streams.
    records: Iterator[tuple[Any, ...]]


def universe_export(*, actor: Actor, universe_id: int) -> UniverseExport:
    """The people of a universe that the staff member may see, logged as one read.

    The log row is written before any row is read, so an export is never unlogged, and says
    how many people it held. People outside the staff member's units are left out.
    """
    scope = organizing.staff_scope(actor)
    if not scope.everywhere and not scope.person_paths:
        raise PermissionDenied(
            "Your role works with aggregates only; exports hold personal data.",
            code=errors.UNIVERSE_EXPORT_DENIED,
        )
    universe = Universe.objects.filter(pk=universe_id).first()
    if universe is None:
        raise NotFound("No such universe.", code=errors.UNIVERSE_NOT_FOUND)
    people = universes.people(universes.parse(universe.filters)).filter(scope.person_filter())
    with transaction.atomic():
        rows = people.count()
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.READ,
            action="universe.export",
            entity_type="people.universe",
            entity_id=universe.pk,
            summary=f"exported {rows} people of universe {universe.name!r}",
        )
    return UniverseExport(
        universe=universe,
        rows=rows,
        header=tuple(header for header, _ in universes.EXPORT_COLUMNS),
        records=universes.export_rows(people),
    )


def people_files_link(
    *, left: Path, right: Path, out: Path, threshold: float = linkage.DEFAULT_THRESHOLD
) -> linkage.LinkResult:
    """Link two CSV files of people (see ``linkage``) and write the pairs found to ``out``."""
    result = linkage.link(left, right, threshold=threshold)
    linkage.write_pairs(result.pairs, out)
    return result


def voter_file_import(
    *,
    actor: Actor,
    layout: str,
    voters: Path,
    history: Path | None = None,
    resume: int | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    batch_size: int | None = None,
) -> voterfile_run.Outcome:
    """Import a state's voter file (see ``people.voterfile``): each batch commits with its audit
    row; the identical files imported again change nothing."""
    return voterfile_run.run_import(
        actor=actor,
        layout_name=layout,
        voters=voters,
        history=history,
        resume=resume,
        progress=progress,
        batch_size=batch_size,
    )


def person_place(*, actor: Actor, person_id: int, org_unit_id: int) -> bool:
    """Put a person not yet in any unit into one (an intake that knows their team); a person
    already placed stays where they are. Returns whether they were placed."""
    with transaction.atomic():
        placed = Person.objects.filter(pk=person_id, org_unit__isnull=True).update(
            org_unit_id=org_unit_id
        )
        if placed:
            audit.audit_record(
                actor=actor,
                kind=audit.Kind.UPDATE,
                action="person.place",
                entity_type="people.person",
                entity_id=person_id,
                changes={"org_unit_id": [None, org_unit_id]},
            )
    return bool(placed)
