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
from groundgame.money import appeal_returns, services
from groundgame.money.models import Appeal, AppealReturn
from groundgame.money.services import spending

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


class AppealIn(Schema):
    name: CleanStr
    channel: CleanStr
    refcode: CleanStr
    org_unit_id: Id
    starts_on: dt.date
    ends_on: dt.date | None = None
    mailing_id: Id | None = None
    provider: CleanStr = ""


class AppealCostIn(Schema):
    kind: CleanStr
    amount_cents: Annotated[int, Ge(1), Le(spending.MAX_CENTS)]
    incurred_on: dt.date
    note: CleanStr = ""


class AppealOut(Schema):
    id: int
    name: str
    channel: str
    refcode: str
    starts_on: dt.date
    ends_on: dt.date | None
    # The kept return (null until a worker has computed it): cents, and the 90% range.
    raised_cents: int | None = None
    donors: int | None = None
    cost_cents: int | None = None
    unsubscribes: int | None = None
    churn_cents: int | None = None
    net_low_cents: int | None = None
    net_mid_cents: int | None = None
    net_high_cents: int | None = None
    roi_low: float | None = None
    roi_mid: float | None = None
    roi_high: float | None = None
    loss_probability: float | None = None
    flagged: bool = False


def _appeal_out(appeal: Appeal, result: AppealReturn | None) -> AppealOut:
    own = ("id", "name", "channel", "refcode", "starts_on", "ends_on")
    kept = {
        name: getattr(result, name)
        for name in AppealOut.model_fields
        if result is not None and name not in own
    }
    return AppealOut(
        id=appeal.pk,
        name=appeal.name,
        channel=appeal.channel,
        refcode=appeal.refcode,
        starts_on=appeal.starts_on,
        ends_on=appeal.ends_on,
        **kept,
    )


@router.get("/appeals", response=list[AppealOut])
def appeal_list(request: HttpRequest) -> list[AppealOut]:
    """Every appeal with its kept return (aggregates: any staff member), flagged first."""
    rows, _ = appeal_returns.appeal_return_list()
    kept = {r.appeal_id: r for r in rows}
    appeals = Appeal.objects.order_by("-starts_on", "-pk")
    ordered = sorted(appeals, key=lambda a: not (kept.get(a.pk) and kept[a.pk].flagged))
    return [_appeal_out(a, kept.get(a.pk)) for a in ordered]


@router.post("/appeals", response={201: AppealOut})
def appeal_create(request: HttpRequest, payload: AppealIn) -> tuple[int, AppealOut]:
    """An appeal whose gifts carry ``refcode``. 403 ``money_not_finance`` outside your finance
    units, 422 ``appeal_invalid`` naming the field (a refcode already taken, a mailing of
    another channel)."""
    appeal = services.appeal_create(actor=request.user, **payload.dict())
    return 201, _appeal_out(appeal, None)


@router.post("/appeals/{appeal_id}/costs", response={201: AppealOut})
def appeal_cost_add(
    request: HttpRequest, appeal_id: int, payload: AppealCostIn
) -> tuple[int, AppealOut]:
    """A cost of the appeal (``ad_spend``, ``list_rental``, ``production``, ``other``); its
    return is recomputed by a worker. 404 ``appeal_not_found``, 422 ``appeal_cost_invalid``."""
    cost = services.appeal_cost_add(actor=request.user, appeal_id=appeal_id, **payload.dict())
    return 201, _appeal_out(cost.appeal, None)
