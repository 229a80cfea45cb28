"""The money API: donations read (for staff with the finance role over the donors, each read
logged) and a gift entered by hand (a check at an event); the budget, commitments,
disbursements and debts, where the money went and the cash-flow forecast. Reads of spending
are aggregates any staff member may see; writes take the finance role in the unit (or a
national admin), as on the pages. Amounts are integer cents. Gifts from ActBlue come by its
own webhook (``integrations/actblue``), not through here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from annotated_types import Ge, Le
from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from groundgame.core.api_types import CleanStr, Id, Offset
from groundgame.core.money import cents_from_dollars
from groundgame.money import appeal_returns, cashflow, services, where
from groundgame.money.models import Appeal, AppealReturn, BudgetLine, Commitment, Disbursement
from groundgame.money.services import spending

router = Router(tags=["money"])

Cents = Annotated[int, Ge(0), Le(spending.MAX_CENTS)]
Limit = Annotated[int, Ge(1), Le(500)]


class BudgetLineIn(Schema):
    category: CleanStr
    org_unit_id: Id
    period_start: dt.date
    period_end: dt.date
    amount_cents: Cents
    note: CleanStr = ""


class BudgetLineOut(Schema):
    id: int
    category: str
    org_unit_id: int
    period_start: dt.date
    period_end: dt.date
    amount_cents: int
    note: str


def _budget_out(line: BudgetLine) -> BudgetLineOut:
    return BudgetLineOut(
        id=line.pk,
        category=line.category,
        org_unit_id=line.org_unit_id,
        period_start=line.period_start,
        period_end=line.period_end,
        amount_cents=line.amount_cents,
        note=line.note,
    )


@router.get("/budget-lines", response=list[BudgetLineOut])
def budget_line_list(request: HttpRequest) -> list[BudgetLineOut]:
    """Every budget line, by period and category."""
    return [_budget_out(line) for line in BudgetLine.objects.order_by("period_start", "category")]


@router.post("/budget-lines", response=BudgetLineOut)
def budget_line_set(request: HttpRequest, payload: BudgetLineIn) -> BudgetLineOut:
    """Set a category's budget in a unit for the period starting ``period_start`` (again:
    changed, not added). 403 ``money_not_finance`` outside your finance units, 422
    ``budget_line_invalid`` naming the field."""
    line = spending.budget_line_set(actor=request.user, **payload.dict())
    return _budget_out(line)


class FeeIn(Schema):
    due_on: dt.date
    amount_cents: Cents
    description: CleanStr = ""


class CommitmentIn(Schema):
    kind: CleanStr
    title: CleanStr
    vendor: CleanStr
    category: CleanStr
    org_unit_id: Id
    starts_on: dt.date
    ends_on: dt.date
    weekly_cents: Cents = 0
    cancellation_notice_days: Annotated[int, Ge(0), Le(366)] = 0
    cancellation_terms: CleanStr = ""
    retainer_cents: Cents = 0
    commission_basis_points: Annotated[int, Ge(0), Le(10_000)] = 0
    commission_category: CleanStr = ""
    amount_cents: Cents = 0
    reference: CleanStr = ""
    fees: list[FeeIn] = []


class CommitmentOut(Schema):
    id: int
    kind: str
    title: str
    vendor: str
    category: str
    org_unit_id: int
    starts_on: dt.date
    ends_on: dt.date
    cancelled_on: dt.date | None
    committed_cents: int


def _commitment_out(c: Commitment, committed: int) -> CommitmentOut:
    return CommitmentOut(
        id=c.pk,
        kind=c.kind,
        title=c.title,
        vendor=c.vendor.name,
        category=c.category,
        org_unit_id=c.org_unit_id,
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        cancelled_on=c.cancelled_on,
        committed_cents=committed,
    )


def _committed(commitment_id: int) -> int:
    _, schedules = cashflow.commitment_schedules()
    return sum(i.cents for i in schedules.get(commitment_id, []))


@router.get("/commitments", response=list[CommitmentOut])
def commitment_list(request: HttpRequest) -> list[CommitmentOut]:
    """Every commitment with what its terms call for in all (``committed_cents``)."""
    by_id, schedules = cashflow.commitment_schedules()
    return [
        _commitment_out(c, sum(i.cents for i in schedules[c.pk]))
        for c in sorted(by_id.values(), key=lambda c: (c.starts_on, c.pk))
    ]


@router.post("/commitments", response={201: CommitmentOut})
def commitment_create(request: HttpRequest, payload: CommitmentIn) -> tuple[int, CommitmentOut]:
    """A TV reservation (``weekly_cents``, ``cancellation_notice_days``), a consultant's
    contract (``retainer_cents``, ``fees``, ``commission_basis_points`` of the spend on
    ``commission_category``) or an invoice (``amount_cents``, due on ``ends_on``). The vendor
    is found or created by name. 403 ``money_not_finance``, 422 ``commitment_invalid``."""
    data = payload.dict()
    fees = [spending.FeeInput(**f) for f in data.pop("fees")]
    # The vendor stays only if the commitment is recorded.
    with transaction.atomic():
        vendor = spending.vendor_upsert(actor=request.user, name=data.pop("vendor"))
        c = spending.commitment_create(actor=request.user, vendor_id=vendor.pk, fees=fees, **data)
    return 201, _commitment_out(c, _committed(c.pk))


class CancelIn(Schema):
    on: dt.date


@router.post("/commitments/{commitment_id}/cancel", response=CommitmentOut)
def commitment_cancel(request: HttpRequest, commitment_id: Id, payload: CancelIn) -> CommitmentOut:
    """Cancel on ``on``: what the terms still owe stays committed. 404
    ``commitment_not_found``, 422 ``commitment_cancelled`` if it already is."""
    c = spending.commitment_cancel(actor=request.user, commitment_id=commitment_id, on=payload.on)
    return _commitment_out(c, _committed(c.pk))


class DisbursementIn(Schema):
    vendor: CleanStr
    paid_on: dt.date
    amount_cents: Annotated[int, Ge(1), Le(spending.MAX_CENTS)]
    category: CleanStr
    org_unit_id: Id
    purpose: CleanStr
    transaction_id: CleanStr = ""
    fec_category_code: CleanStr = ""
    memo: bool = False
    commitment_id: Id | None = None
    debt_id: Id | None = None
    committee_id: Id | None = None


class DisbursementOut(Schema):
    id: int
    transaction_id: str
    vendor: str
    paid_on: dt.date
    amount_cents: int
    category: str
    org_unit_id: int
    purpose: str
    memo: bool
    commitment_id: int | None


def _disbursement_out(d: Disbursement) -> DisbursementOut:
    return DisbursementOut(
        id=d.pk,
        transaction_id=d.transaction_id,
        vendor=d.vendor.name,
        paid_on=d.paid_on,
        amount_cents=d.amount_cents,
        category=d.category,
        org_unit_id=d.org_unit_id,
        purpose=d.purpose,
        memo=d.memo,
        commitment_id=d.commitment_id,
    )


@router.get("/disbursements", response=list[DisbursementOut])
def disbursement_list(
    request: HttpRequest, limit: Limit = 100, offset: Offset = 0
) -> list[DisbursementOut]:
    """Disbursements, latest first."""
    rows = Disbursement.objects.select_related("vendor")[offset : offset + limit]
    return [_disbursement_out(d) for d in rows]


@router.post("/disbursements", response={201: DisbursementOut})
def disbursement_create(
    request: HttpRequest, payload: DisbursementIn
) -> tuple[int, DisbursementOut]:
    """A payment that left. Safe to retry with its ``transaction_id``: the second is a 422
    ``disbursement_duplicate``, never a second payment. 403 ``money_not_finance``, 422
    ``disbursement_invalid`` naming the field."""
    data = payload.dict()
    with transaction.atomic():
        vendor = spending.vendor_upsert(actor=request.user, name=data.pop("vendor"))
        row = spending.disbursement_create(
            actor=request.user, entry=spending.DisbursementInput(vendor_id=vendor.pk, **data)
        )
    return 201, _disbursement_out(row)


class DebtIn(Schema):
    vendor: CleanStr
    purpose: CleanStr
    incurred_on: dt.date
    amount_cents: Annotated[int, Ge(1), Le(spending.MAX_CENTS)]
    org_unit_id: Id
    commitment_id: Id | None = None
    committee_id: Id | None = None


class DebtOut(Schema):
    id: int
    vendor: str
    purpose: str
    incurred_on: dt.date
    amount_cents: int


@router.post("/debts", response={201: DebtOut})
def debt_create(request: HttpRequest, payload: DebtIn) -> tuple[int, DebtOut]:
    """A debt the committee owes (FEC Schedule D). 403 ``money_not_finance``, 422
    ``debt_invalid``."""
    data = payload.dict()
    with transaction.atomic():
        vendor = spending.vendor_upsert(actor=request.user, name=data.pop("vendor"))
        debt = spending.debt_create(actor=request.user, vendor_id=vendor.pk, **data)
    return 201, DebtOut(
        id=debt.pk,
        vendor=vendor.name,
        purpose=debt.purpose,
        incurred_on=debt.incurred_on,
        amount_cents=debt.amount_cents,
    )


class CategoryOut(Schema):
    category: str
    budget_cents: int
    committed_cents: int
    spent_cents: int


class VendorOut(Schema):
    vendor: str
    committed_cents: int
    spent_cents: int


class WeekOut(Schema):
    week: dt.date
    committed_cents: int
    spent_cents: int


class SpendingOut(Schema):
    categories: list[CategoryOut]
    vendors: list[VendorOut]
    weeks: list[WeekOut]


@router.get("/spending", response=SpendingOut)
def spending_summary(request: HttpRequest) -> SpendingOut:
    """Where the money went: budget, committed and spent by category, vendor and week."""
    picture = where.where_the_money_went()
    return SpendingOut(
        categories=[
            CategoryOut(
                category=r.category,
                budget_cents=r.budget_cents,
                committed_cents=r.committed_cents,
                spent_cents=r.spent_cents,
            )
            for r in picture.categories
        ],
        vendors=[
            VendorOut(vendor=v.vendor, committed_cents=v.committed_cents, spent_cents=v.spent_cents)
            for v in picture.vendors
        ],
        weeks=[
            WeekOut(week=w.week, committed_cents=w.committed_cents, spent_cents=w.spent_cents)
            for w in picture.weeks
        ],
    )


class CrossingOut(Schema):
    threshold_cents: int
    on: dt.date
    probability: float
    likely: bool
    by_last_day: float


class CashflowOut(Schema):
    computed_at: dt.datetime
    cash_cents: int
    receipts_cents: int
    refunds_cents: int
    disbursements_cents: int
    receipts_expected_low_cents: int
    receipts_expected_median_cents: int
    receipts_expected_high_cents: int
    payments_scheduled_cents: int
    below_zero: CrossingOut | None
    below_floor: CrossingOut | None
    debt_on_last_day_median_cents: int
    debt_on_last_day_high_cents: int
    last_day: dt.date


def _crossing(c: object) -> CrossingOut | None:
    return CrossingOut.model_validate(c, from_attributes=True) if c is not None else None


@router.get("/cashflow", response=CashflowOut)
def cashflow_summary(request: HttpRequest) -> CashflowOut:
    """Cash on hand and the forecast as last computed (at most a few minutes old)."""
    snapshot = cashflow.cashflow_snapshot()
    f, p = snapshot.forecast, snapshot.position
    return CashflowOut(
        computed_at=snapshot.computed_at,
        cash_cents=p.cash_cents,
        receipts_cents=p.receipts_cents,
        refunds_cents=p.refunds_cents,
        disbursements_cents=p.disbursements_cents,
        receipts_expected_low_cents=f.receipts_low_cents,
        receipts_expected_median_cents=f.receipts_median_cents,
        receipts_expected_high_cents=f.receipts_high_cents,
        payments_scheduled_cents=f.outflows_cents,
        below_zero=_crossing(f.below_zero),
        below_floor=_crossing(f.below_floor),
        debt_on_last_day_median_cents=f.debt_median_cents,
        debt_on_last_day_high_cents=f.debt_high_cents,
        last_day=f.days[-1],
    )


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
