from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from groundgame.audit.services import audit_read_list
from groundgame.core import json_body
from groundgame.core.api_types import CleanStr, Id, Offset
from groundgame.core.errors import ApplicationError, ValidationFailed
from groundgame.people import errors, selectors, universes
from groundgame.people.services import merges, persons

router = Router(tags=["people"])


class VoteOut(Schema):
    election_date: dt.date
    election_name: str
    method: str


class PersonOut(Schema):
    id: int
    first_name: str
    middle_name: str
    last_name: str
    email: str
    phone: str
    birth_date: dt.date | None
    org_unit_id: int | None


class PersonDetailOut(PersonOut):
    address: str | None
    county_fips: str | None
    state_voter_id: str | None
    party: str | None
    vote_history: list[VoteOut]


class PersonPatch(Schema):
    first_name: CleanStr | None = None
    middle_name: CleanStr | None = None
    last_name: CleanStr | None = None
    email: CleanStr | None = None
    phone: CleanStr | None = None
    birth_date: dt.date | None = None


@router.get("/", response=list[PersonOut])
def person_search(request: HttpRequest, q: CleanStr = "", limit: int = 50) -> list[PersonOut]:
    """People in your units matching a name, email or phone (at most 200)."""
    scope = request.staff_scope  # type: ignore[attr-defined]
    people = selectors.person_list(scope=scope, query=q[:100])[: max(1, min(limit, 200))]
    found = [PersonOut.from_orm(p) for p in people]
    audit_read_list(
        actor=request.user, entity_type="people.person", count=len(found), query=q[:100]
    )
    return found


# An int converter, so that named routes (/reviews, /find-or-create) are not taken for ids.
@router.get("/{int:person_id}", response=PersonDetailOut)
def person_get(request: HttpRequest, person_id: Id) -> PersonDetailOut:
    """One person's record (logged as a read); 404 `person_not_found` outside your units."""
    person = persons.person_open(actor=request.user, person_id=person_id)
    return _detail(person)


@router.patch("/{int:person_id}", response=PersonDetailOut)
def person_patch(request: HttpRequest, person_id: Id, payload: PersonPatch) -> PersonDetailOut:
    person = persons.person_update(
        actor=request.user, person_id=person_id, **payload.dict(exclude_unset=True)
    )
    return _detail(person)


def _detail(person: object) -> PersonDetailOut:
    voter = getattr(person, "voter_record", None)
    household = getattr(person, "household", None)
    base = PersonOut.from_orm(person).dict()
    return PersonDetailOut(
        **base,
        address=str(household) if household else None,
        county_fips=household.county_fips if household else None,
        state_voter_id=voter.state_voter_id if voter else None,
        party=voter.party if voter else None,
        vote_history=[VoteOut.from_orm(v) for v in voter.history.all()] if voter else [],
    )


class UniverseCountOut(Schema):
    count: int
    version: int


class UniverseOut(Schema):
    id: int
    name: str
    description: str
    filters: dict[str, object]
    last_count: int | None
    counted_at: dt.datetime | None


@router.get("/universes/count", response=UniverseCountOut)
def universe_count(request: HttpRequest, spec: CleanStr = "{}") -> UniverseCountOut:
    """How many people a universe spec holds, e.g. ``spec={"version": 1, "state": ["PA"]}``.

    A count is an aggregate, open to all staff. A bad spec is a 422
    `universe_spec_invalid` naming the filter.
    """
    try:
        raw = json_body.loads(spec, field="spec")
    except ApplicationError as exc:
        raise ValidationFailed(
            exc.message, code=errors.UNIVERSE_SPEC_INVALID, field="spec"
        ) from None
    return UniverseCountOut(count=selectors.universe_count(raw), version=universes.SPEC_VERSION)


@router.get("/universes/saved", response=list[UniverseOut])
def universe_saved(request: HttpRequest) -> list[UniverseOut]:
    """The saved universes with their last count and when it was taken."""
    scope = request.staff_scope  # type: ignore[attr-defined]
    return [UniverseOut.from_orm(u) for u in selectors.universe_list(scope)]


# Identity resolution --------------------------------------------------------------------


class FindOrCreateIn(Schema):
    first_name: CleanStr
    last_name: CleanStr
    email: CleanStr = ""
    phone: CleanStr = ""
    birth_date: dt.date | None = None
    street: CleanStr = ""
    city: CleanStr = ""
    state: CleanStr = ""
    zip5: CleanStr = ""
    external_system: CleanStr = ""
    external_id: CleanStr = ""
    source: CleanStr = "api"


class FindOrCreateOut(Schema):
    person_id: int
    created: bool
    score: float
    review_id: int | None


class ReviewPersonOut(Schema):
    id: int
    full_name: str
    email: str
    phone: str
    birth_date: dt.date | None


class ReviewOut(Schema):
    id: int
    score: float
    source: str
    status: str
    created_at: dt.datetime
    person: ReviewPersonOut
    candidate: ReviewPersonOut
    evidence: dict[str, object]


class DecideIn(Schema):
    decision: CleanStr
    survivor_id: Id | None = None


class DecideOut(Schema):
    id: int
    status: str
    decided_at: dt.datetime | None
    # The merge a "merge" decision made, for undoing it.
    merge_id: int | None


class MergeOut(Schema):
    id: int
    survivor_id: int
    absorbed_id: int
    merged_at: dt.datetime
    undone_at: dt.datetime | None


# The API's words for a decision, and the review status each leads to.
DECISIONS = {"merge": "merged", "distinct": "distinct"}


@router.post("/find-or-create", response={200: FindOrCreateOut, 201: FindOrCreateOut})
def person_find_or_create(
    request: HttpRequest, payload: FindOrCreateIn
) -> tuple[int, FindOrCreateOut]:
    """The person an intake describes: 201 when created, 200 when found.

    Safe to retry: the same payload again finds the person the first call created, when they
    were placed in your units. Only people in your units are matched: anyone elsewhere is
    answered as if absent (a new person, the score of your best match), so the answer says
    nothing about who is in other units, and nothing of theirs changes. Open the person with
    ``GET /api/people/{id}``. Bad input is a 422 naming the field (``person_invalid``,
    ``external_id_invalid``); an external id linked to someone else is a 409
    ``external_id_taken``.
    """
    data = payload.dict()
    system, external_id = data.pop("external_system").strip(), data.pop("external_id").strip()
    if bool(system) != bool(external_id):
        missing = "external_id" if system else "external_system"
        raise ValidationFailed(
            "An external id needs both external_system and external_id.",
            code=errors.EXTERNAL_ID_INVALID,
            field=missing,
        )
    result = persons.person_find_or_create(
        actor=request.user,
        external=(system, external_id) if system else None,
        scope=request.staff_scope,  # type: ignore[attr-defined]
        **data,
    )
    out = FindOrCreateOut(
        person_id=result.person.pk,
        created=result.created,
        score=round(result.score, 4),
        review_id=result.review.pk if result.review else None,
    )
    return (201 if result.created else 200), out


@router.get("/reviews", response=list[ReviewOut])
def review_list(request: HttpRequest, limit: int = 50, offset: Offset = 0) -> list[ReviewOut]:
    """Open reviews whose two people are both in your units, likeliest matches first."""
    scope = request.staff_scope  # type: ignore[attr-defined]
    reviews = selectors.match_review_list(scope=scope)[offset : offset + max(1, min(limit, 200))]
    found = [ReviewOut.from_orm(r) for r in reviews]
    audit_read_list(actor=request.user, entity_type="people.matchreview", count=len(found))
    return found


@router.post("/reviews/{review_id}/decide", response=DecideOut)
def review_decide(request: HttpRequest, review_id: Id, payload: DecideIn) -> DecideOut:
    """Answer a review: ``{"decision": "merge", "survivor_id": ...}`` keeps that record and
    merges the other into it; ``{"decision": "distinct"}`` keeps both. 404
    ``review_not_found`` outside your units, 409 ``review_decided`` if already answered, 422
    ``review_invalid`` or ``merge_invalid`` naming the field."""
    decision = DECISIONS.get(payload.decision)
    if decision is None:
        raise ValidationFailed(
            "The decision is 'merge' or 'distinct'.", code=errors.REVIEW_INVALID, field="decision"
        )
    if decision == "merged" and payload.survivor_id is None:
        raise ValidationFailed(
            "A merge names the record to keep.", code=errors.MERGE_INVALID, field="survivor_id"
        )
    review = merges.match_review_decide(
        actor=request.user,
        review_id=review_id,
        decision=decision,
        survivor_id=payload.survivor_id,
    )
    merge = None
    if review.status == "merged" and payload.survivor_id is not None:
        pair = {review.person_id, review.candidate_id} - {payload.survivor_id}
        merge = selectors.person_merge_undoable(person_id=pair.pop())
    return DecideOut(
        id=review.pk,
        status=review.status,
        decided_at=review.decided_at,
        merge_id=merge.pk if merge else None,
    )


@router.post("/merges/{merge_id}/undo", response=MergeOut)
def merge_undo(request: HttpRequest, merge_id: Id) -> MergeOut:
    """Undo a merge exactly. 404 ``merge_not_found`` outside your units, 409
    ``merge_invalid`` if already undone or a later merge involves the survivor."""
    merge = merges.person_unmerge(actor=request.user, merge_id=merge_id)
    return MergeOut.from_orm(merge)
