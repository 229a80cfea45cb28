from __future__ import annotations

import datetime as dt
import json

from django.http import HttpRequest
from ninja import Router, Schema

from groundgame.core.errors import ValidationFailed
from groundgame.people import errors, selectors, services, universes

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
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    birth_date: dt.date | None = None


@router.get("/", response=list[PersonOut])
def person_search(request: HttpRequest, q: str = "", limit: int = 50) -> list[PersonOut]:
    """People in your units matching a name, email or phone (at most 200)."""
    scope = request.staff_scope  # type: ignore[attr-defined]
    people = selectors.person_list(scope=scope, query=q[:100])[: max(1, min(limit, 200))]
    return [PersonOut.from_orm(p) for p in people]


@router.get("/{person_id}", response=PersonDetailOut)
def person_get(request: HttpRequest, person_id: int) -> PersonDetailOut:
    """One person's record (logged as a read); 404 `person_not_found` outside your units."""
    person = services.person_open(actor=request.user, person_id=person_id)
    return _detail(person)


@router.patch("/{person_id}", response=PersonDetailOut)
def person_patch(request: HttpRequest, person_id: int, payload: PersonPatch) -> PersonDetailOut:
    person = services.person_update(
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
def universe_count(request: HttpRequest, spec: str = "{}") -> UniverseCountOut:
    """How many people a universe spec holds, e.g. ``spec={"version": 1, "state": ["PA"]}``.

    A count is an aggregate, open to all staff. A bad spec is a 422
    `universe_spec_invalid` naming the filter.
    """
    try:
        raw = json.loads(spec)
    except ValueError:
        raise ValidationFailed(
            "The spec is not JSON.", code=errors.UNIVERSE_SPEC_INVALID, field="spec"
        ) from None
    return UniverseCountOut(count=selectors.universe_count(raw), version=universes.SPEC_VERSION)


@router.get("/universes/saved", response=list[UniverseOut])
def universe_saved(request: HttpRequest) -> list[UniverseOut]:
    """The saved universes with their last count and when it was taken."""
    return [UniverseOut.from_orm(u) for u in selectors.universe_list()]
