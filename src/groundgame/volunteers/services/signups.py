"""Taking a sign-up: checked, then committed as one pending row, the rows that this
process's threads store at the same moment stored together (group commit)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    transaction,
)
from django.db.models import Field
from django.utils import timezone

from groundgame.core.errors import ApplicationError
from groundgame.core.group_commit import GroupCommit
from groundgame.people import services as people_services
from groundgame.volunteers import errors, signups
from groundgame.volunteers.models import SignupForm, SignupSubmission
from groundgame.volunteers.services.processing import signup_processing_schedule


def signup_submit(
    *,
    form: SignupForm,
    idempotency_key: str,
    fields: dict[str, Any],
    answers: dict[str, Any],
    consents: list[Any],
    source: str = "",
    referral_code: str = "",
    client: str = "",
    now: dt.datetime | None = None,
) -> tuple[SignupSubmission, bool]:
    """Accept one sign-up: checked, then committed as one pending row. Returns
    ``(submission, created)``; ``signup_pending_process`` finishes it in a worker batch (the
    person found or created, their team, a follow-up, the confirmation email).

    The request does no more than that so that a launch-day surge costs one durable insert
    per sign-up. The idempotency key makes it safe to repeat: a replay (a double click, a
    retry after a lost response) returns the first submission with ``created=False`` and
    writes nothing; of two racing requests with one key, the unique constraint lets one in.
    ``now`` is the moment of the sign-up when it is history brought in later (the demo's).
    """
    idempotency_key = signups.check_idempotency_key(idempotency_key)
    try:
        payload, clean = _signup_payload(
            form, fields, answers, consents, source, referral_code, client
        )
    except ApplicationError:
        # A retry of a sign-up that did commit gets its answer even if the form has closed
        # since; looked up only here so that a first submission costs no extra query.
        existing = _submission_for_key(form, idempotency_key)
        if existing is not None:
            return existing, False
        raise
    submission = SignupSubmission(
        form=form,
        idempotency_key=idempotency_key,
        payload=payload,
        answers=clean.answers,
        consents=clean.consents,
        source=clean.source,
        created_at=now or timezone.now(),
    )
    pk = _signup_insert(submission)
    if pk is None:
        existing = _submission_for_key(form, idempotency_key)
        if existing is None:
            raise RuntimeError(f"sign-up {idempotency_key!r} conflicted but is not stored")
        return existing, False
    submission.pk = pk
    submission._state.adding = False
    submission._state.db = connection.alias
    transaction.on_commit(signup_processing_schedule, robust=True)
    return submission, True


# The columns a new sign-up fills; the others are the worker's (null or blank until then).
_SIGNUP_INSERT_FIELDS = frozenset(
    ("form", "idempotency_key", "payload", "error", "answers", "consents", "source", "created_at")
)


@functools.cache
def _signup_insert_fields() -> list[Field[Any, Any]]:
    # In the model's order, which puts the unique (form, idempotency_key) first.
    return [f for f in SignupSubmission._meta.concrete_fields if f.name in _SIGNUP_INSERT_FIELDS]


@functools.cache
def _signup_insert_sql(vendor: str, rows: int) -> str:
    """The insert of ``rows`` sign-ups in the quoting of ``vendor``, answering the key and id
    of each row it stored (made once per database kind and batch size)."""
    quote = connection.ops.quote_name
    columns = [quote(str(f.column)) for f in _signup_insert_fields()]
    row = f"({', '.join(['%s'] * len(columns))})"
    # Names from the model and placeholders for the values: nothing here comes from a request.
    return (
        f"INSERT INTO {quote(SignupSubmission._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES {', '.join([row] * rows)} "
        f"ON CONFLICT ({columns[0]}, {columns[1]}) DO NOTHING "
        f"RETURNING {columns[0]}, {columns[1]}, {quote('id')}"
    )


def _signup_params(submission: SignupSubmission) -> list[Any]:
    return [
        f.get_db_prep_save(getattr(submission, f.attname), connection)
        for f in _signup_insert_fields()
    ]


def _signup_insert(submission: SignupSubmission) -> int | None:
    """Store a new sign-up; its id, or None if its key is already stored.

    Inside a caller's transaction the row commits with it. Otherwise the sign-ups that this
    process's threads are storing at the same moment are stored together, in one statement
    that commits by itself (``_signup_group``): under a surge the database then makes one
    transaction for many sign-ups, and a thread waits for one round trip, not one per
    sign-up ahead of it. The unique ``(form, idempotency_key)`` decides a race on one key
    without an error, and the loser reads the winner's row.
    """
    if connection.in_atomic_block:
        sql = _signup_insert_sql(connection.vendor, 1)
        stored = _insert_returning(sql, _signup_params(submission))
        return int(stored[0][2]) if stored else None
    return _signup_group.submit(submission)


def _signup_insert_batch(submissions: list[SignupSubmission]) -> list[int | Exception | None]:
    """Store ``submissions`` in one statement, on this thread's connection: the id of each,
    or None where its key was stored already (or earlier in the batch)."""
    first: dict[tuple[int, str], int] = {}
    for i, submission in enumerate(submissions):
        first.setdefault((submission.form_id, submission.idempotency_key), i)
    rows = [submissions[i] for i in first.values()]
    sql = _signup_insert_sql(connection.vendor, len(rows))
    params = [value for submission in rows for value in _signup_params(submission)]
    # A connection kept from an earlier request is not health-checked first (another round
    # trip on every batch): the insert is idempotent, so on a dead connection it is made once
    # more on a new one. Had the first one committed, the second finds every key, and each
    # sign-up is answered as a replay, with the same body.
    connection.health_check_done = True  # type: ignore[attr-defined]
    try:
        try:
            stored = _insert_returning(sql, params)
        except (OperationalError, InterfaceError):
            connection.close()
            stored = _insert_returning(sql, params)
    except DatabaseError as exc:
        if len(rows) == 1 or isinstance(exc, OperationalError | InterfaceError):
            # One row, or the database is away: every sign-up of the batch fails alike.
            raise
        # One row the database refuses must not fail the others: each alone, then.
        return [_signup_insert_alone(submission) for submission in submissions]
    ids = {(int(form_id), str(key)): int(pk) for form_id, key, pk in stored}
    return [
        ids.get(key) if first[key] == i else None
        for i, key in enumerate((s.form_id, s.idempotency_key) for s in submissions)
    ]


def _signup_insert_alone(submission: SignupSubmission) -> int | Exception | None:
    try:
        return _signup_insert_batch([submission])[0]
    except DatabaseError as exc:
        return exc


_signup_group: GroupCommit[SignupSubmission, int | None] = GroupCommit(_signup_insert_batch)


def _insert_returning(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _signup_payload(
    form: SignupForm,
    fields: dict[str, Any],
    answers: dict[str, Any],
    consents: list[Any],
    source: str,
    referral_code: str,
    client: str,
) -> tuple[dict[str, Any], signups.CleanSubmission]:
    if form.status != SignupForm.Status.PUBLISHED:
        raise errors.Conflict(
            "This sign-up form is not taking sign-ups.", code=errors.SIGNUP_FORM_CLOSED
        )
    clean = signups.clean_submission(
        fields_config=form.fields,
        questions=form.questions,
        consent_topics=form.consent_topics,
        fields=fields,
        answers=answers,
        consents=consents,
        source=source,
        default_source=form.source or f"signup:{form.slug}"[:40],
    )
    if clean.errors:
        raise signups.first_problem(clean.errors)
    person = dict(clean.person)
    try:
        # The same checks identity resolution makes, now, so that the worker never meets a
        # record it must refuse after the visitor was told it was accepted.
        normalized = people_services.person_fields_clean(
            first_name=person["first_name"],
            last_name=person["last_name"],
            email=person.get("email", ""),
            phone=person.get("phone", ""),
        )
    except errors.ValidationFailed as exc:
        raise errors.ValidationFailed(
            exc.message, code=errors.SIGNUP_INVALID, field=exc.field
        ) from None
    person.update(normalized)
    payload: dict[str, Any] = {"person": person}
    if signups.REFERRAL_CODE_RE.fullmatch(referral_code):
        payload["ref"] = referral_code
    if client:
        payload["client"] = client[:45]
    return payload, clean


def _submission_for_key(form: SignupForm, key: str) -> SignupSubmission | None:
    return SignupSubmission.objects.filter(form=form, idempotency_key=key).first()
