"""The money API: donations read (for staff with the finance role over the donors, each read
logged) and a gift entered by hand (a check at an event). Mounted under ``/api/money/``. Gifts
from ActBlue come by its own webhook (``integrations/actblue``), not through here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from annotated_types import Ge, Le
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from groundgame.core.api_types import CleanStr, Id, Offset
from groundgame.core.money import cents_from_dollars
from groundgame.money import services

router = Router(tags=["money"])


class DonationOut(Schema):
    id: int
    line_item_id: str
    order_number: str
    paid_at: dt.datetime
    amount_cents: int
    refunded_cents: int
    committee_fec_id: str
    election: str
    person_id: int
    first_name: str
    last_name: str
    refcode: str
    source: str
    recurring: bool


class DonationIn(Schema):
    line_item_id: CleanStr = Field(min_length=1, max_length=40)
    committee_id: Id
    amount: CleanStr = Field(description='Dollars as a string, "25.00"', max_length=20)
    paid_at: dt.datetime
    first_name: CleanStr = Field(min_length=1, max_length=100)
    last_name: CleanStr = Field(min_length=1, max_length=100)
    email: CleanStr = Field(default="", max_length=254)
    phone: CleanStr = Field(default="", max_length=30)
    street: CleanStr = Field(default="", max_length=200)
    city: CleanStr = Field(default="", max_length=100)
    state: CleanStr = Field(default="", max_length=2)
    zip_code: CleanStr = Field(default="", max_length=10)
    employer: CleanStr = Field(default="", max_length=100)
    occupation: CleanStr = Field(default="", max_length=100)
    refcode: CleanStr = Field(default="", max_length=100)


def _out(c: object, refunded: int = 0) -> DonationOut:
    return DonationOut(
        id=c.pk,  # type: ignore[attr-defined]
        line_item_id=c.line_item_id,  # type: ignore[attr-defined]
        order_number=c.order_number,  # type: ignore[attr-defined]
        paid_at=c.paid_at,  # type: ignore[attr-defined]
        amount_cents=c.amount_cents,  # type: ignore[attr-defined]
        refunded_cents=refunded,
        committee_fec_id=c.committee.fec_id,  # type: ignore[attr-defined]
        election=c.election.code,  # type: ignore[attr-defined]
        person_id=c.person_id,  # type: ignore[attr-defined]
        first_name=c.first_name,  # type: ignore[attr-defined]
        last_name=c.last_name,  # type: ignore[attr-defined]
        refcode=c.refcode,  # type: ignore[attr-defined]
        source=c.source,  # type: ignore[attr-defined]
        recurring=c.recurring_plan_id is not None,  # type: ignore[attr-defined]
    )


@router.get("/donations", response=list[DonationOut])
def donation_list(
    request: HttpRequest,
    refcode: CleanStr = "",
    since: dt.date | None = None,
    limit: Annotated[int, Ge(1), Le(500)] = 50,
    offset: Offset = 0,
) -> list[DonationOut]:
    """Gifts the caller may see (finance role over the donors), newest first; logged."""
    scope = request.staff_scope  # type: ignore[attr-defined]
    rows = services.contributions_visible(scope).order_by("-paid_at", "-pk")
    if refcode:
        rows = rows.filter(refcode=refcode[:100])
    if since is not None:
        rows = rows.filter(paid_at__date__gte=since)
    shown = services.ledger_page(
        actor=request.user,
        scope=scope,
        rows=rows.filter(pk__in=list(rows.values_list("pk", flat=True)[offset : offset + limit])),
        query=f"api refcode={refcode[:100]} since={since}",
    )
    return [_out(c) for c in shown]


@router.get("/donations/{donation_id}", response=DonationOut)
def donation_get(request: HttpRequest, donation_id: Id) -> DonationOut:
    """One gift (404 ``contribution_not_found`` outside the caller's finance scope); logged."""
    c = services.contribution_open(
        actor=request.user,
        scope=request.staff_scope,  # type: ignore[attr-defined]
        contribution_id=donation_id,
    )
    return _out(c, sum(a.amount_cents for a in c.adjustments.all()))


@router.post("/donations", response={201: DonationOut})
def donation_create(request: HttpRequest, payload: DonationIn) -> Status[DonationOut]:
    """Enter a gift by hand (finance role): 403 ``money_denied`` without it, 409
    ``contribution_conflict`` for a line item recorded already, 422 naming the field."""
    gift = services.GiftSpec(
        line_item_id=payload.line_item_id,
        order_number=payload.line_item_id,
        committee_id=payload.committee_id,
        amount_cents=cents_from_dollars(payload.amount, field="amount"),
        paid_at=payload.paid_at,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        phone=payload.phone,
        street=payload.street,
        city=payload.city,
        state=payload.state,
        zip_code=payload.zip_code,
        employer=payload.employer,
        occupation=payload.occupation,
        refcode=payload.refcode,
        earmarked=False,
    )
    recorded = services.contribution_enter(actor=request.user, gift=gift)
    return Status(201, _out(recorded.contribution))
