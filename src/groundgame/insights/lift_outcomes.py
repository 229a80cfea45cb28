"""Outcomes a program's lift is read on: turnout in an election (from the vote history the
voter file brought), or a file of the voters who donated, volunteered or answered a survey.

An outcome file is a CSV with a header and the columns ``state`` and ``voter_id`` (the
state's own id, as on its voter file). It is read whole before anything is written: a voter
id the file of that state does not hold, a row repeating an earlier one, a blank or unknown
state are each reported with their row number, and a file with any of them is refused, so an
outcome never holds part of a file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from groundgame.audit.services import Actor, audit_create
from groundgame.core.errors import PermissionDenied, ValidationFailed
from groundgame.core.text import text_problem
from groundgame.insights import errors
from groundgame.insights.models import Outcome, OutcomeRecord
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import selectors as people_selectors

MAX_FILE_BYTES = 50 * 1024 * 1024
SHOWN_ROW_ERRORS = 20


@dataclass(frozen=True)
class RowError:
    row: int  # the line of the file, the header being line 1
    field: str
    message: str


class OutcomeFileInvalid(ValidationFailed):
    """A file with bad rows: each is named with its row number; nothing was written."""

    code = errors.OUTCOME_FILE_INVALID

    def __init__(self, rows: list[RowError]) -> None:
        shown = "; ".join(f"row {e.row}: {e.message}" for e in rows[:SHOWN_ROW_ERRORS])
        more = f"; and {len(rows) - SHOWN_ROW_ERRORS} more" if len(rows) > SHOWN_ROW_ERRORS else ""
        super().__init__(
            f"The file has {len(rows)} bad row{'s' if len(rows) != 1 else ''} and was not "
            f"loaded: {shown}{more}.",
            field="file",
        )
        self.rows = rows


def _admin(actor: Actor) -> None:
    if not organizing_selectors.staff_scope(actor).is_admin:
        raise PermissionDenied(
            "Outcomes are recorded for the whole campaign by national admins.",
            code=errors.PROGRAM_DENIED,
        )


def _clean_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 120 or text_problem(cleaned):
        raise ValidationFailed(
            "Name the outcome (at most 120 characters, no control characters).",
            code=errors.OUTCOME_INVALID,
            field="name",
        )
    return cleaned


def _create(actor: Actor, **fields: object) -> Outcome:
    try:
        with transaction.atomic():
            outcome = Outcome.objects.create(**fields)
            audit_create(actor=actor, action="outcome.create", instance=outcome)
    except IntegrityError:
        raise ValidationFailed(
            "An outcome of that name exists already.",
            code=errors.OUTCOME_NAME_TAKEN,
            field="name",
        ) from None
    return outcome


def outcome_turnout_create(*, actor: Actor, name: str, election_date: dt.date) -> Outcome:
    """Turnout in the election of ``election_date``, read from the imported vote history."""
    _admin(actor)
    cleaned = _clean_name(name)
    if election_date > dt.date.today():
        raise ValidationFailed(
            "That election has not happened yet.", code=errors.OUTCOME_INVALID, field="election"
        )
    return _create(
        actor,
        name=cleaned,
        kind=Outcome.Kind.VOTED,
        election_date=election_date,
        created_by_id=organizing_selectors.staff_scope(actor).user_id,
    )


def read_outcome_file(data: bytes) -> dict[int, int]:
    """The person ids the file names, by the row naming each; raises ``OutcomeFileInvalid``
    listing every bad row."""
    if len(data) > MAX_FILE_BYTES:
        raise ValidationFailed(
            "The file is over 50 MB; split it.", code=errors.OUTCOME_FILE_INVALID, field="file"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "The file is not UTF-8 text (save it as CSV UTF-8).",
            code=errors.OUTCOME_FILE_INVALID,
            field="file",
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "state" not in header or "voter_id" not in header:
        raise ValidationFailed(
            "The file's first line names its columns, with state and voter_id.",
            code=errors.OUTCOME_FILE_INVALID,
            field="file",
        )
    reader.fieldnames = header
    problems: list[RowError] = []
    wanted: dict[tuple[str, str], int] = {}
    for number, row in enumerate(reader, start=2):
        state = (row.get("state") or "").strip().upper()
        voter_id = (row.get("voter_id") or "").strip()
        if text_problem(state + voter_id):
            problems.append(RowError(number, "voter_id", "it holds control characters"))
        elif not state or not voter_id:
            problems.append(RowError(number, "voter_id", "the state or the voter id is blank"))
        elif (state, voter_id) in wanted:
            problems.append(
                RowError(
                    number,
                    "voter_id",
                    f"{state} voter {voter_id} repeats row {wanted[(state, voter_id)]}",
                )
            )
        else:
            wanted[(state, voter_id)] = number
    found: dict[tuple[str, str], int] = {}
    for state in {s for s, _ in wanted}:
        ids = [v for s, v in wanted if s == state]
        found.update(
            ((state, v), p) for v, p in people_selectors.voters_by_state_id(state, ids).items()
        )
    for key, number in wanted.items():
        if key not in found:
            problems.append(RowError(number, "voter_id", f"no {key[0]} voter has the id {key[1]}"))
    if problems:
        raise OutcomeFileInvalid(sorted(problems, key=lambda e: e.row))
    return {number: found[key] for key, number in wanted.items()}


def outcome_file_upload(*, actor: Actor, name: str, kind: str, data: bytes) -> Outcome:
    """An outcome from a file of voters (who donated, volunteered, answered a survey)."""
    _admin(actor)
    cleaned = _clean_name(name)
    if kind not in Outcome.Kind.values or kind == Outcome.Kind.VOTED:
        raise ValidationFailed(
            "A file's outcome is donated, volunteered or survey; turnout comes from the vote "
            "history.",
            code=errors.OUTCOME_INVALID,
            field="kind",
        )
    people = read_outcome_file(data)
    with transaction.atomic():
        outcome = _create(
            actor,
            name=cleaned,
            kind=kind,
            rows=len(people),
            created_by_id=organizing_selectors.staff_scope(actor).user_id,
        )
        OutcomeRecord.objects.bulk_create(
            (OutcomeRecord(outcome=outcome, person_id=p) for p in people.values()),
            batch_size=5_000,
        )
    return outcome
