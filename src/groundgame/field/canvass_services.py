"""The canvassing app's writes: opening a walk list by its code, syncing the results recorded
offline, passing do-not-contact requests on to consent, and staff review.

A sync batch is answered row by row. A result already stored (same ``client_id``) is a
``duplicate`` and changes nothing, whatever else it says: the phone retries until it hears
back, so replays are normal. A good new result is ``accepted``. A bad one is ``rejected``
with a stable code, the field and a message, and kept as a ``SyncRejection`` for staff.

Decisions worth knowing:
- The sync needs no account, so it stores nothing that only the list code vouches for when
  the code vouches for nothing: a code that names no list is a ``NotFound``
  (``walk_list_not_found``) with nothing kept, and each client address has a token bucket
  (``canvass_sync_wait``), so that a script cannot fill the review queue.
- A list that was closed or expired still takes what was recorded before it closed (a
  canvasser walking without signal syncs after the shift ends); what was recorded after is
  rejected (``recorded_after_close`` / ``recorded_after_expiry``) and, unlike the other
  rejections, not kept: nothing staff could do with it, and an old code must not be a way in.
- A result made with an older approved version of the script is accepted with that version
  kept and the warning ``script_version_stale`` (the door was knocked; the app downloads the
  list again and shows the current version). A version that was never approved for the
  list's script is dropped from the result with ``script_version_unknown``.
- Do-not-contact: "door" (no more knocks) makes the person, or everyone at the household
  when nobody was named, leave the door channel (``consent.services.channel_leave``); "all"
  (never contact me) puts the named person on the global do-not-contact list
  (``consent.services.do_not_contact_set``) and is refused without a person. Both are
  written in the transaction of the result, so the 2xx that acknowledges one acknowledges the
  other.
- Survey answers (``answers``: question key to answer) come only from a conversation and
  are checked against the questions of the script version the result names (the version
  the canvasser was shown, stale or current): an unknown question, an option not offered, a
  number off the scale, text too long or a required question left out rejects the result
  with the answer's field (``answers.<key>``). They are stored as ``CanvassAnswer`` rows.
- Every answer for a known list names the people and doors on it that the contact rule now
  refuses (someone asked at another door, by email, or staff marked them), so the app drops
  them from its copy. A result for someone refused since the list was downloaded is still
  stored: the knock happened.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from groundgame.audit.services import Actor, audit_record, audit_update, snapshot
from groundgame.audit.services import Kind as AuditKind
from groundgame.consent import services as consent_services
from groundgame.content import selectors as content_selectors
from groundgame.core import ratelimit
from groundgame.core.errors import NotFound, PermissionDenied, ValidationFailed
from groundgame.field import canvass_selectors, errors, quality, turf_selectors
from groundgame.field.models import (
    CanvassAnswer,
    CanvassResult,
    DoNotContactScope,
    SyncRejection,
    WalkList,
)
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import selectors as people_selectors

ACCEPTED = "accepted"
DUPLICATE = "duplicate"
REJECTED = "rejected"

MAX_BATCH = 200
MAX_NOTES = 2000
# Phones' clocks drift; a result "recorded" a little in the future or just before the list
# existed is a clock, not a fabrication.
CLOCK_SKEW = dt.timedelta(minutes=10)
# Stored doors this close in time to a new one can be its neighbours in recording order.
NEIGHBOUR_WINDOW = dt.timedelta(hours=12)


@dataclass(frozen=True)
class RowAnswer:
    """What the sync says about one result, in the order they were sent."""

    client_id: str
    status: str
    code: str = ""
    field: str = ""
    message: str = ""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SyncAnswer:
    list_code: str
    rows: tuple[RowAnswer, ...]
    # The list's current script version, so the app knows when to download it again.
    script_version_id: int | None = None
    # Who on the list the contact rule refuses now, for the app to drop.
    refused: turf_selectors.Refused = field(default_factory=turf_selectors.Refused)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)


class _Problem(Exception):
    """Why one result is rejected."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code, self.field, self.message = code, field, message


@dataclass
class _Row:
    client_id: uuid.UUID
    household_id: int
    person_id: int | None
    outcome: str
    support: int | None
    answers: list[content_selectors.Answer]
    notes: str
    scope: str
    recorded_at: dt.datetime
    latitude: float | None
    longitude: float | None
    canvasser_name: str
    script_version_id: int | None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _ListFacts:
    walk_list: WalkList
    org_unit_id: int
    households: frozenset[int]
    places: Mapping[int, quality.Place]
    residents: Mapping[int, int | None]  # person id -> household id, for the people named
    current_script: int | None
    shown_scripts: frozenset[int] = field(default_factory=frozenset)
    # The survey questions of each version shown, to check answers against.
    questions: Mapping[int, list[content_selectors.Question]] = field(default_factory=dict)


def walk_list_open(*, code: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """The walk list, script and literature a canvasser downloads with a list code.

    The names and addresses on it are personal data, so each download is logged (the
    canvasser has no account: the log names the list)."""
    now = now or timezone.now()
    walk_list = canvass_selectors.walk_list_by_code(code)
    if walk_list is None:
        raise NotFound("No walk list has this code.", code=errors.WALK_LIST_NOT_FOUND)
    if walk_list.closed_at is not None and walk_list.closed_at <= now:
        raise errors.Gone("This walk list was closed by its organizer.")
    if walk_list.expires_at is not None and walk_list.expires_at <= now:
        raise errors.Gone("This walk list has expired.", code=errors.WALK_LIST_EXPIRED)
    bundle = canvass_selectors.walk_list_bundle(walk_list)
    audit_record(
        actor=AnonymousUser(),
        kind=AuditKind.READ,
        action="field.walklist.download",
        entity_type="field.walklist",
        entity_id=walk_list.pk,
        summary=f"{len(bundle['households'])} doors downloaded with the list code",
    )
    return bundle


def canvass_sync_wait(*, client: str) -> float:
    """Seconds a sync from ``client`` must wait; 0.0 to go ahead. Allows a staging
    location's phones behind one address their batches, not a script its flood."""
    per_client = ratelimit.Limit(
        rate=settings.GROUNDGAME_CANVASS_SYNC_PER_CLIENT_PER_MINUTE / 60.0,
        burst=settings.GROUNDGAME_CANVASS_SYNC_CLIENT_BURST,
    )
    return ratelimit.take({f"field:sync:client:{client}": per_client})


def canvass_sync(
    *, list_code: str, results: Sequence[Any], now: dt.datetime | None = None
) -> SyncAnswer:
    """Store a batch of results recorded on a phone; see the module docstring."""
    now = now or timezone.now()
    code = list_code.strip()[:40]
    walk_list = canvass_selectors.walk_list_by_code(code)
    if walk_list is None:
        raise NotFound(
            "No walk list has this code.", code=errors.WALK_LIST_NOT_FOUND, field="list_code"
        )

    facts = _facts(walk_list, results)
    answers: list[RowAnswer | None] = [None] * len(results)
    stored = canvass_selectors.stored_client_ids(
        cid for raw in results if (cid := _client_id(raw)) is not None
    )
    clean: list[tuple[int, _Row]] = []
    rejected: list[tuple[int, Any, _Problem]] = []
    for index, raw in enumerate(results):
        cid = _client_id(raw)
        if cid is not None and cid in stored:
            answers[index] = RowAnswer(str(cid), DUPLICATE)
            continue
        try:
            row = _clean(raw, facts, now)
        except _Problem as problem:
            rejected.append((index, raw, problem))
            continue
        stored.add(row.client_id)  # the same id twice in one batch: the second is a replay
        clean.append((index, row))

    with transaction.atomic():
        new = sorted((_result(facts, row, now) for _, row in clean), key=lambda r: str(r.client_id))
        neighbours = _flag(facts, new)
        inserted = _insert_new(new) if new else {}
        CanvassAnswer.objects.bulk_create(
            [
                a
                for _, row in clean
                if row.client_id in inserted
                for a in _answer_rows(row, inserted[row.client_id])
            ]
        )
        _log_door_contacts(walk_list, [r for r in new if r.client_id in inserted])
        for index, row in clean:
            status = ACCEPTED if row.client_id in inserted else DUPLICATE
            warnings = row.warnings if status == ACCEPTED else ()
            answers[index] = RowAnswer(str(row.client_id), status, warnings=warnings)
            if status == ACCEPTED and row.scope:
                _pass_on_contact_request(row, walk_list.code)
        _save_neighbour_flags(neighbours)
        kept = _keep_rejections(
            walk_list.code, facts.org_unit_id, [(raw, p) for _, raw, p in rejected], now
        )
        for (index, _, _), answer in zip(rejected, kept, strict=True):
            answers[index] = answer
        if inserted or rejected:
            audit_record(
                actor=AnonymousUser(),
                kind=AuditKind.BULK,
                action="field.canvass_sync",
                entity_type="field.walklist",
                entity_id=walk_list.pk,
                summary=f"{len(inserted)} results accepted, {len(rejected)} rejected",
            )
    return SyncAnswer(
        walk_list.code,
        tuple(a for a in answers if a is not None),
        facts.current_script,
        canvass_selectors.walk_list_refusals(walk_list),
    )


def _facts(walk_list: WalkList, results: Sequence[Any]) -> _ListFacts:
    places = canvass_selectors.walk_list_places(walk_list)
    named = {p for raw in results if isinstance(p := _dict(raw).get("person_id"), int)}
    residents = dict(
        people_selectors.people_by_ids(named).values_list("pk", "household_id") if named else ()
    )
    current, shown = None, frozenset[int]()
    questions: dict[int, list[content_selectors.Question]] = {}
    if walk_list.script_id is not None:
        version = content_selectors.current_approved_version(walk_list.script_id)
        current = version.pk if version else None
        versions = content_selectors.script_versions_shown(walk_list.script_id)
        shown = frozenset(v.pk for v in versions)
        questions = {v.pk: v.questions for v in versions}
    return _ListFacts(
        walk_list=walk_list,
        org_unit_id=walk_list.turf.org_unit_id,
        households=frozenset(places),
        places={pk: place for pk, place in places.items() if place is not None},
        residents=residents,
        current_script=current,
        shown_scripts=shown,
        questions=questions,
    )


def _dict(raw: Any) -> dict[str, Any]:
    return raw if isinstance(raw, dict) else {}


def _client_id(raw: Any) -> uuid.UUID | None:
    value = _dict(raw).get("client_id")
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    # JSON true/false are ints to Python; they are not ids or scores.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _clean(raw: Any, facts: _ListFacts, now: dt.datetime) -> _Row:
    """A result checked against the list it claims to be from, or the first problem."""
    if not isinstance(raw, dict):
        raise _Problem(errors.RESULT_INVALID, "", "A result must be a JSON object.")
    client_id = _client_id(raw)
    if client_id is None:
        raise _Problem(errors.CLIENT_ID_INVALID, "client_id", "client_id must be a UUID.")
    household_id = _int(raw.get("household_id"))
    if household_id is None:
        raise _Problem(errors.RESULT_INVALID, "household_id", "household_id must be a number.")
    if household_id not in facts.households:
        raise _Problem(
            errors.HOUSEHOLD_NOT_ON_LIST, "household_id", "This door is not on the walk list."
        )
    person_id = raw.get("person_id")
    if person_id is not None and (
        _int(person_id) is None or facts.residents.get(person_id) != household_id
    ):
        raise _Problem(
            errors.PERSON_NOT_AT_HOUSEHOLD, "person_id", "This person does not live at this door."
        )
    outcome = raw.get("outcome")
    if outcome not in CanvassResult.Outcome.values:
        raise _Problem(
            errors.OUTCOME_INVALID,
            "outcome",
            f"outcome must be one of {', '.join(CanvassResult.Outcome.values)}.",
        )
    support = raw.get("support")
    if support is not None and (_int(support) is None or not 1 <= support <= 5):
        raise _Problem(errors.SUPPORT_INVALID, "support", "support must be 1 to 5.")
    if raw.get("issues"):
        raise _Problem(
            errors.ISSUE_UNKNOWN,
            "issues",
            "Issues are answers to the script's issues question: send them in answers.",
        )
    answers = raw.get("answers") or {}
    if (support is not None or answers) and outcome != CanvassResult.Outcome.TALKED:
        raise _Problem(
            errors.SURVEY_WITHOUT_CONVERSATION,
            "outcome",
            "Survey answers come only from a conversation (outcome talked).",
        )
    notes = raw.get("notes") or ""
    if not isinstance(notes, str):
        raise _Problem(errors.RESULT_INVALID, "notes", "notes must be text.")
    if len(notes) > MAX_NOTES:
        raise _Problem(errors.NOTES_TOO_LONG, "notes", f"notes are at most {MAX_NOTES} characters.")
    scope = raw.get("do_not_contact") or ""
    if scope not in DoNotContactScope.values:
        raise _Problem(
            errors.DO_NOT_CONTACT_INVALID, "do_not_contact", 'do_not_contact is "door" or "all".'
        )
    if scope == DoNotContactScope.ALL and person_id is None:
        raise _Problem(
            errors.DO_NOT_CONTACT_INVALID,
            "person_id",
            "Never contact me needs the person who asked.",
        )
    recorded_at = _recorded_at(raw.get("recorded_at"), facts.walk_list, now)
    latitude, longitude = _number(raw.get("latitude")), _number(raw.get("longitude"))
    if (raw.get("latitude") is None) != (raw.get("longitude") is None) or (
        raw.get("latitude") is not None
        and (
            latitude is None
            or longitude is None
            or not -90 <= latitude <= 90
            or not -180 <= longitude <= 180
        )
    ):
        raise _Problem(
            errors.LOCATION_INVALID, "latitude", "latitude and longitude must be given together."
        )
    name = raw.get("canvasser_name")
    version, warnings = _script_version(raw.get("script_version"), facts)
    checked = _answers(answers, version, facts) if outcome == CanvassResult.Outcome.TALKED else []
    return _Row(
        client_id=client_id,
        household_id=household_id,
        person_id=person_id,
        outcome=outcome,
        support=support,
        answers=checked,
        notes=notes.strip(),
        scope=scope,
        recorded_at=recorded_at,
        latitude=latitude,
        longitude=longitude,
        canvasser_name=name.strip()[:100] if isinstance(name, str) else "",
        script_version_id=version,
        warnings=warnings,
    )


def _recorded_at(value: Any, walk_list: WalkList, now: dt.datetime) -> dt.datetime:
    at = parse_datetime(value) if isinstance(value, str) else None
    if at is None or at.tzinfo is None:
        raise _Problem(
            errors.RECORDED_AT_INVALID,
            "recorded_at",
            "recorded_at must be an ISO 8601 time with its offset.",
        )
    if at > now + CLOCK_SKEW or at < walk_list.created_at - CLOCK_SKEW:
        raise _Problem(
            errors.RECORDED_AT_INVALID,
            "recorded_at",
            "recorded_at is outside the life of the walk list.",
        )
    if walk_list.closed_at is not None and at > walk_list.closed_at:
        raise _Problem(
            errors.RECORDED_AFTER_CLOSE, "recorded_at", "Recorded after the list was closed."
        )
    if walk_list.expires_at is not None and at > walk_list.expires_at:
        raise _Problem(
            errors.RECORDED_AFTER_EXPIRY, "recorded_at", "Recorded after the list expired."
        )
    return at


def _script_version(value: Any, facts: _ListFacts) -> tuple[int | None, tuple[str, ...]]:
    if value is None or value == facts.current_script:
        return facts.current_script if value is not None else None, ()
    if _int(value) is not None and value in facts.shown_scripts:
        return value, (errors.SCRIPT_VERSION_STALE,)
    return None, (errors.SCRIPT_VERSION_UNKNOWN,)


def _answers(
    answers: Any, version: int | None, facts: _ListFacts
) -> list[content_selectors.Answer]:
    """A conversation's answers, checked against the questions of the script version the
    canvasser was shown."""
    if version is None:
        if answers:
            raise _Problem(
                errors.ANSWERS_SCRIPT_UNKNOWN,
                "script_version",
                "Answers need the approved script version whose questions they answer.",
            )
        return []
    try:
        return content_selectors.answers_check(facts.questions.get(version, []), answers)
    except content_selectors.AnswerProblem as problem:
        where = f"answers.{problem.key}" if problem.key else "answers"
        raise _Problem(problem.code, where, problem.message) from None


def _answer_rows(row: _Row, result_id: int) -> list[CanvassAnswer]:
    return [
        CanvassAnswer(
            result_id=result_id,
            script_version_id=row.script_version_id,
            question=answer.question,
            option=option,
            position=position,
            number=answer.number,
            text=answer.text,
        )
        for answer in row.answers
        for position, option in enumerate(answer.options or ("",))
    ]


def _result(facts: _ListFacts, row: _Row, now: dt.datetime) -> CanvassResult:
    return CanvassResult(
        client_id=row.client_id,
        walk_list=facts.walk_list,
        household_id=row.household_id,
        person_id=row.person_id,
        org_unit_id=facts.org_unit_id,
        outcome=row.outcome,
        support=row.support,
        notes=row.notes,
        do_not_contact=bool(row.scope),
        do_not_contact_scope=row.scope,
        script_version_id=row.script_version_id,
        canvasser_name=row.canvasser_name,
        recorded_at=row.recorded_at,
        synced_at=now,
        latitude=row.latitude,
        longitude=row.longitude,
    )


def _flag(facts: _ListFacts, new: list[CanvassResult]) -> list[CanvassResult]:
    """Set the flags of the new results, judged with the stored doors around them; returns
    the stored results that gained a flag because a new door came just before them."""
    if not new:
        return []
    times = [r.recorded_at for r in new]
    stored = list(
        CanvassResult.objects.filter(
            walk_list=facts.walk_list,
            recorded_at__gte=min(times) - NEIGHBOUR_WINDOW,
            recorded_at__lte=max(times) + NEIGHBOUR_WINDOW,
        ).exclude(client_id__in=[r.client_id for r in new])
    )
    # New results have no primary key yet: each door is known by its client_id.
    everyone = {r.client_id: r for r in [*new, *stored]}
    flags = quality.door_flags(
        (
            quality.Door(key, r.household_id, r.outcome, r.recorded_at, r.latitude, r.longitude)
            for key, r in everyone.items()
        ),
        dict(facts.places),
    )
    for result in new:
        if result.client_id in flags:
            result.flags = flags[result.client_id]
            result.review = CanvassResult.Review.FLAGGED
    changed = []
    for result in stored:
        had = {f.get("code") for f in result.flags}
        gained = [f for f in flags.get(result.client_id, []) if f["code"] not in had]
        # A reviewer's decision stands; only unreviewed results gain flags.
        if gained and result.review in ("", CanvassResult.Review.FLAGGED):
            result.flags = [*result.flags, *gained]
            result.review = CanvassResult.Review.FLAGGED
            changed.append(result)
    return sorted(changed, key=lambda r: r.pk)


def _save_neighbour_flags(results: list[CanvassResult]) -> None:
    if results:
        CanvassResult.objects.bulk_update(results, ["flags", "review"])


@functools.cache
def _insert_fields() -> list[Field[Any, Any]]:
    return [f for f in CanvassResult._meta.concrete_fields if not f.primary_key]


def _insert_new(results: list[CanvassResult]) -> dict[uuid.UUID, int]:
    """Insert the results whose client_id is not stored yet, in one statement; returns the
    client_ids it inserted with their new ids.

    ``ON CONFLICT DO NOTHING`` on the unique client_id settles a race between two syncs of
    the same results (a double tap, a retry while the first is still running): on
    PostgreSQL the second waits for the first to commit and inserts nothing; both answer.
    Rows come sorted by client_id, so two overlapping batches take their locks in one order.
    """
    fields = _insert_fields()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    # Names from the model and placeholders for the values: nothing here comes from a request.
    sql = (
        f"INSERT INTO {quote(CanvassResult._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES {', '.join([row] * len(results))} "
        f"ON CONFLICT ({quote('client_id')}) DO NOTHING "
        f"RETURNING {quote('client_id')}, {quote('id')}"
    )
    params = [
        f.get_db_prep_save(getattr(r, f.attname), connection) for r in results for f in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {uuid.UUID(str(value)): int(pk) for value, pk in cursor.fetchall()}


def _log_door_contacts(walk_list: WalkList, results: list[CanvassResult]) -> None:
    """Each knock counts against the door caps from when it was made: for the person it
    names, and for the household once per walk list (``consent.caps``)."""
    by_time: dict[dt.datetime, list[tuple[int | None, int | None]]] = {}
    for r in results:
        by_time.setdefault(r.recorded_at, []).append((r.person_id, r.household_id))
    for at, contacts in by_time.items():
        consent_services.contacts_record(
            channel=turf_selectors.DOOR,
            contacts=contacts,
            at=at,
            source=f"canvass:{walk_list.pk}",
        )


def _pass_on_contact_request(row: _Row, list_code: str) -> None:
    source = f"canvass:{list_code}"
    if row.scope == DoNotContactScope.ALL and row.person_id is not None:
        consent_services.do_not_contact_set(
            person_id=row.person_id,
            reason="Asked at the door never to be contacted again.",
            source=source,
        )
        return
    people = (
        [row.person_id]
        if row.person_id is not None
        else list(
            people_selectors.household_residents([row.household_id]).values_list("pk", flat=True)
        )
    )
    for person_id in people:
        consent_services.channel_leave(person_id=person_id, channel="door", source=source)


# Results sent under a list's code after the list stopped taking them (see the module's
# docstring): answered, never stored.
_NOT_KEPT = frozenset({errors.RECORDED_AFTER_CLOSE, errors.RECORDED_AFTER_EXPIRY})


def _keep_rejections(
    list_code: str,
    org_unit_id: int | None,
    rejected: list[tuple[Any, _Problem]],
    now: dt.datetime,
) -> list[RowAnswer]:
    """Keep each rejected result for review (once: a replay of the same rejected result adds
    nothing while the first is unresolved); the answers, in order."""
    ids = [str(_dict(raw).get("client_id", ""))[:64] for raw, _ in rejected]
    open_ = set(
        SyncRejection.objects.filter(
            list_code=list_code, client_id__in=ids, resolved_at__isnull=True
        ).values_list("client_id", "code")
    )
    keep = []
    for client_id, (raw, problem) in zip(ids, rejected, strict=True):
        if problem.code in _NOT_KEPT or (client_id, problem.code) in open_:
            continue
        open_.add((client_id, problem.code))
        keep.append(
            SyncRejection(
                list_code=list_code,
                client_id=client_id,
                payload=raw,
                code=problem.code,
                field=problem.field,
                reason=problem.message[:300],
                org_unit_id=org_unit_id,
                received_at=now,
            )
        )
    SyncRejection.objects.bulk_create(keep)
    return [
        RowAnswer(client_id, REJECTED, problem.code, problem.field, problem.message)
        for client_id, (_, problem) in zip(ids, rejected, strict=True)
    ]


def _check_scope(actor: Actor, path: str | None) -> None:
    scope = organizing_selectors.staff_scope(actor)
    if not scope.is_staff or not scope.covers(path):
        raise PermissionDenied("This result is outside your units.")


def canvass_result_review(*, actor: Actor, result_id: int, genuine: bool) -> CanvassResult:
    """A reviewer's decision on a flagged result: genuine (confirmed) or not (rejected, which
    takes it out of the counts)."""
    with transaction.atomic():
        result = (
            CanvassResult.objects.select_for_update(of=("self",))
            .select_related("org_unit")
            .filter(pk=result_id)
            .first()
        )
        if result is None:
            raise NotFound("No such result.", code=errors.RESULT_NOT_FOUND)
        _check_scope(actor, result.org_unit.path)
        if result.review != CanvassResult.Review.FLAGGED:
            raise ValidationFailed(
                "Only a flagged result waits for review.", code=errors.REVIEW_INVALID
            )
        before = snapshot(result, ["review"])
        result.review = CanvassResult.Review.CONFIRMED if genuine else CanvassResult.Review.REJECTED
        result.save(update_fields=["review"])
        audit_update(
            actor=actor,
            action="field.canvass_result_review",
            instance=result,
            before=before,
            summary="; ".join(f.get("detail", "") for f in result.flags),
        )
    return result


def sync_rejection_resolve(*, actor: Actor, rejection_id: int) -> SyncRejection:
    """Mark a rejected result as looked at: it leaves the review queue and stays stored."""
    with transaction.atomic():
        rejection = (
            SyncRejection.objects.select_for_update(of=("self",))
            .select_related("org_unit")
            .filter(pk=rejection_id)
            .first()
        )
        if rejection is None:
            raise NotFound("No such rejected result.", code=errors.REJECTION_NOT_FOUND)
        _check_scope(actor, rejection.org_unit.path if rejection.org_unit else None)
        if rejection.resolved_at is None:
            before = snapshot(rejection, ["resolved_at"])
            rejection.resolved_at = timezone.now()
            rejection.save(update_fields=["resolved_at"])
            audit_update(
                actor=actor,
                action="field.sync_rejection_resolve",
                instance=rejection,
                before=before,
            )
    return rejection


def sync_rejections_purge(*, before: dt.datetime) -> int:
    """Delete the results the sync refused that arrived before ``before`` (each holds what
    the canvasser typed about a door). Returns how many."""
    with transaction.atomic():
        deleted, _ = SyncRejection.objects.filter(received_at__lt=before).delete()
        if deleted:
            audit_record(
                actor=None,
                kind=AuditKind.DELETE,
                action="canvass.rejections_purge",
                entity_type="field.syncrejection",
                summary=f"{deleted} refused results received before {before:%Y-%m-%d} deleted",
            )
    return deleted
