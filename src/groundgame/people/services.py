"""Every write of the people app, and opening a personal record (which is logged)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core.errors import NotFound, ValidationFailed
from groundgame.organizing import selectors as organizing
from groundgame.people import errors, synth, voterfile
from groundgame.people.models import Household, Person

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_EDITABLE = ("first_name", "middle_name", "last_name", "suffix", "email", "phone", "birth_date")


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_phone(value: str, *, field: str = "phone") -> str:
    """US numbers to E.164 (+1XXXXXXXXXX); empty stays empty."""
    digits = re.sub(r"\D", "", value)
    if not digits:
        return ""
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10 or digits[0] in "01":
        raise ValidationFailed(
            f"{value!r} is not a US phone number (10 digits, area code first).",
            code=errors.PERSON_INVALID,
            field=field,
        )
    return f"+1{digits}"


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
            text = normalize_email(text)
            if not _EMAIL.match(text):
                raise ValidationFailed(
                    f"{text!r} is not an email address.", code=errors.PERSON_INVALID, field=name
                )
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


def voter_file_bulk_load(*, actor: Actor, batch: voterfile.VoterFileBatch) -> voterfile.LoadedBatch:
    """Insert a batch of households, people, voter records and vote history at once.

    For loaders of whole files: no per-row validation or audit (the rows come from a loader
    that checked them); one audit row says what the batch held.
    """
    with transaction.atomic():
        loaded = voterfile.load(batch)
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


@dataclass(frozen=True)
class SyntheticVoterFile:
    voters: int
    households: int
    ballots: int
    # (person id, team id, leads the team) of the synthetic people who volunteer.
    volunteers: list[tuple[int, int, bool]]


def synthetic_voter_file_create(
    *,
    actor: Actor,
    voters: int,
    seed: int,
    team_by_county: Mapping[str, int],
    progress: Callable[[str, int, int], None] | None = None,
) -> SyntheticVoterFile:
    """Generate and load the synthetic swing-state voter file (see ``synth``).

    Every person is placed in the team covering their county (``team_by_county`` maps each
    county FIPS to a team id). Batches commit one by one, so memory stays bounded at any size.
    """
    done = households = ballots = 0
    volunteers: list[tuple[int, int, bool]] = []
    # Batches of at most 20,000 voters bound memory at any size; at least ~20 of them keep the
    # progress line moving on small files.
    batch_size = min(20_000, max(2_000, voters // 20))
    batches = synth.voter_file(
        voters=voters, seed=seed, team_by_county=team_by_county, batch_size=batch_size
    )
    for batch in batches:
        loaded = voter_file_bulk_load(actor=actor, batch=batch.rows)
        for index, leader in batch.volunteers:
            team = batch.rows.people[index].org_unit_id
            if team is not None:
                volunteers.append((loaded.person_ids[index], team, leader))
        done += len(batch.rows.people)
        households += len(batch.rows.households)
        ballots += len(batch.rows.history)
        if progress is not None:
            progress("voters", done, voters)
    return SyntheticVoterFile(
        voters=done, households=households, ballots=ballots, volunteers=volunteers
    )
