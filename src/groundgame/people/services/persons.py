"""People themselves: their fields checked and normalized, creating, changing and opening a
person's record (a read that is logged), finding or creating the person an intake describes
through identity resolution, the ids they carry in other systems, and placing them in a
unit."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import addfips
import email_validator
import phonenumbers
import zipcodes
from django.db import transaction

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core.errors import Conflict, NotFound, ValidationFailed
from groundgame.organizing import selectors as organizing
from groundgame.people import errors, identity
from groundgame.people.models import ExternalId, Household, MatchReview, Person
from groundgame.people.services.data_requests import people_erased_catch

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
        people_erased_catch(person_ids=[person.pk], source="a new record")
    return person


def person_update(*, actor: Actor, person_id: int, **fields: Any) -> Person:
    """Change a person's own fields; only staff whose units contain them may."""
    cleaned = _clean_person_fields(fields)
    with transaction.atomic():
        person = person_in_scope(actor, person_id, for_update=True)
        before = audit.snapshot(person)
        for name, value in cleaned.items():
            setattr(person, name, value)
        person.save()
        audit.audit_update(actor=actor, action="person.update", instance=person, before=before)
        if cleaned.keys() & {"email", "phone"}:
            people_erased_catch(person_ids=[person.pk], source="a changed record")
    return person


def person_open(*, actor: Actor, person_id: int) -> Person:
    """A person's record for a staff member, logged as a read.

    Someone outside the staff member's units is reported as not found, so that scope does not
    leak who is in the file.
    """
    with transaction.atomic():
        person = person_in_scope(actor, person_id)
        audit.audit_read(
            actor=actor, entity_type="people.person", entity_id=person.pk, summary=person.full_name
        )
    return person


def person_in_scope(actor: Actor, person_id: int, *, for_update: bool = False) -> Person:
    """The person, if inside the staff member's units (locked for update when asked); else
    ``NotFound``, so that scope does not leak who is in the file."""
    scope = organizing.staff_scope(actor)
    people = Person.objects.select_related("household", "org_unit", "voter_record")
    if for_update:
        people = people.select_for_update(of=("self",))
    person = people.filter(scope.person_filter(), pk=person_id).first()
    if person is None:
        raise NotFound("No such person in your units.", code=errors.PERSON_NOT_FOUND)
    return person


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
    scope: organizing.StaffScope | None = None,
) -> FindOrCreateResult:
    """The person an intake (sign-up, donation, import row) describes, created if new.

    In order: the external id, if the crosswalk knows it; a unique person with the same
    email or phone whose names agree; the best-scoring candidate of the matching model if
    its probability is at least ``identity.AUTO_LINK``. Otherwise a new person, and if the
    best candidate scored at least ``identity.REVIEW``, a ``MatchReview`` for staff. The same
    input twice finds the same person (the first call's person is the best match of the
    second). The external id, if given, is recorded on the person either way.

    ``scope`` is a staff member's when they ask (the people API): only the people inside it
    are matched, and the answer is what it would be if nobody else were in the file, so
    that it reveals nothing about people in other units and never touches them. A better
    match outside it still gets a review, between the new person and them, for staff who see
    both; an external id held outside it stays with its holder, unattached to the new person.
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
                holder = _survivor(known.person)
                if _in_scope(scope, [holder.pk]):
                    return _linked(actor, source, holder, 1.0, "external id")
                external = None  # held outside the caller's units: theirs to keep
        scored = []
        for candidate in identity.candidates(query):
            evidence = identity.compare(query, identity.person_record(candidate))
            scored.append((identity.probability(evidence), candidate.pk, candidate, evidence))
        scored.sort(key=lambda s: (-s[0], s[1]))
        seen = _in_scope(scope, [s[1] for s in scored])
        shown = [s for s in scored if s[1] in seen]
        for field in ("email", "phone"):
            value = getattr(query, field)
            hits = [s for s in shown if value and getattr(s[2], field) == value]
            if len(hits) == 1 and identity.names_agree(hits[0][3]):
                return _linked(actor, source, hits[0][2], hits[0][0], field, external)
        best = shown[0] if shown else None
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
        people_erased_catch(person_ids=[person.pk], source=source)
        review = None
        if best is not None and best[0] >= identity.REVIEW:
            review = _review_open(actor, source, person, best)
        elif scored and scored[0][0] >= identity.REVIEW:
            # Someone outside the caller's units looks like them: staff who see both decide,
            # and the caller is not told.
            _review_open(actor, source, person, scored[0])
    return FindOrCreateResult(
        person=person, created=True, score=best[0] if best else 0.0, review=review
    )


def _in_scope(scope: organizing.StaffScope | None, person_ids: list[int]) -> set[int]:
    """Those of the people whom ``scope`` may see (all of them for None: the system)."""
    if scope is None or scope.everywhere:
        return set(person_ids)
    return set(
        Person.objects.filter(scope.person_filter(), pk__in=person_ids).values_list("pk", flat=True)
    )


def _review_open(
    actor: Actor, source: str, person: Person, candidate: tuple[float, int, Person, Any]
) -> MatchReview:
    score, _, other, evidence = candidate
    review = MatchReview.objects.create(
        person=person,
        candidate=other,
        score=score,
        evidence={f: e.as_dict() for f, e in evidence.items()},
        source=source[:60],
    )
    audit.audit_create(actor=actor, action="match_review.open", instance=review)
    return review


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
        people_erased_catch(person_ids=[person.pk], source="an external id")
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
        person = person_in_scope(actor, person_id, for_update=True)
        return _external_id_add(actor, person, system, external_id)


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
