"""The spending side of the money API, beside the donations' (``api.py``), under the same
``/api/money/``: the budget, commitments, disbursements and debts, where the money went and
the cash-flow forecast. Reads are aggregates any staff member may see; writes take the
finance role in the unit (or a national admin), as on the pages. Amounts are integer cents."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from annotated_types import Ge, Le
from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema, Status

from groundgame.core.api_types import CleanStr, Id, Offset
from groundgame.money import cashflow, commitments, where
from groundgame.money.models import BudgetLine, Commitment, Disbursement
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
    _, schedules = commitments.commitment_schedules()
    return sum(i.cents for i in schedules.get(commitment_id, []))


@router.get("/commitments", response=list[CommitmentOut])
def commitment_list(request: HttpRequest) -> list[CommitmentOut]:
    """Every commitment with what its terms call for in all (``committed_cents``)."""
    by_id, schedules = commitments.commitment_schedules()
    return [
        _commitment_out(c, sum(i.cents for i in schedules[c.pk]))
        for c in sorted(by_id.values(), key=lambda c: (c.starts_on, c.pk))
    ]


@router.post("/commitments", response={201: CommitmentOut})
def commitment_create(request: HttpRequest, payload: CommitmentIn) -> Status[CommitmentOut]:
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
    return Status(201, _commitment_out(c, _committed(c.pk)))


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
def disbursement_create(request: HttpRequest, payload: DisbursementIn) -> Status[DisbursementOut]:
    """A payment that left. Safe to retry with its ``transaction_id``: the second is a 422
    ``disbursement_duplicate``, never a second payment. 403 ``money_not_finance``, 422
    ``disbursement_invalid`` naming the field."""
    data = payload.dict()
    with transaction.atomic():
        vendor = spending.vendor_upsert(actor=request.user, name=data.pop("vendor"))
        row = spending.disbursement_create(
            actor=request.user, entry=spending.DisbursementInput(vendor_id=vendor.pk, **data)
        )
    return Status(201, _disbursement_out(row))


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
def debt_create(request: HttpRequest, payload: DebtIn) -> Status[DebtOut]:
    """A debt the committee owes (FEC Schedule D). 403 ``money_not_finance``, 422
    ``debt_invalid``."""
    data = payload.dict()
    with transaction.atomic():
        vendor = spending.vendor_upsert(actor=request.user, name=data.pop("vendor"))
        debt = spending.debt_create(actor=request.user, vendor_id=vendor.pk, **data)
    out = DebtOut(
        id=debt.pk,
        vendor=vendor.name,
        purpose=debt.purpose,
        incurred_on=debt.incurred_on,
        amount_cents=debt.amount_cents,
    )
    return Status(201, out)


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
