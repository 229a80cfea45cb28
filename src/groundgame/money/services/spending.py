"""Every write of the spending side: vendors, budget lines, commitments (TV reservations,
consultant contracts, invoices), disbursements entered one by one, debts, the cash-flow
settings and the fundraising goals.

Only the finance role, inside its units, and national admins change them (``StaffScope.
money_covers``); campaign-wide ones (vendors, the cash settings, goals) take the finance role
at national level or a national admin. Each write commits with its audit row and asks for the
forecast to be recomputed once it has committed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from groundgame.audit.services import Actor, audit_create, audit_update, snapshot
from groundgame.core.errors import NotFound, PermissionDenied, ValidationFailed
from groundgame.core.text import text_problem
from groundgame.money import errors
from groundgame.money.models import (
    BudgetLine,
    CashSettings,
    Commitment,
    Committee,
    ConsultantFee,
    Debt,
    Disbursement,
    FundraisingGoal,
    SpendCategory,
    Vendor,
)
from groundgame.organizing import selectors as organizing

# A budget line, a commitment or a payment past this is a typing slip, not a campaign's:
# ten billion dollars, far under a 64-bit column.
MAX_CENTS = 10**12
FEC_CATEGORY_CODES = frozenset(f"{n:03d}" for n in range(1, 13))


# --- Who may write -------------------------------------------------------------------------


def unit_checked(actor: Actor, org_unit_id: int) -> organizing.OrgUnit:
    """The unit, if the actor holds the finance role there (or above) or is a national admin."""
    unit = organizing.org_unit_get(org_unit_id)
    if unit is None:
        raise ValidationFailed("No such unit.", code=errors.BUDGET_LINE_INVALID, field="org_unit")
    if not organizing.staff_scope(actor).money_covers(unit.path):
        raise PermissionDenied(
            "Only the finance role of this unit or a national admin may change its money.",
            code=errors.NOT_FINANCE,
            field="org_unit",
        )
    return unit


def campaign_wide_checked(actor: Actor) -> None:
    if not organizing.staff_scope(actor).money_everywhere:
        raise PermissionDenied(
            "Only national finance staff or a national admin may change this.",
            code=errors.NOT_FINANCE,
        )


def any_finance_checked(actor: Actor) -> None:
    scope = organizing.staff_scope(actor)
    if not (scope.money_everywhere or scope.finance_paths):
        raise PermissionDenied(
            "Only finance staff or a national admin may do this.", code=errors.NOT_FINANCE
        )


# --- Values --------------------------------------------------------------------------------


def text_checked(value: str, *, field: str, code: str, max_length: int, required: bool) -> str:
    text = value.strip()
    if required and not text:
        raise ValidationFailed("This field is required.", code=code, field=field)
    problem = text_problem(text)
    if problem:
        raise ValidationFailed(problem, code=code, field=field)
    if len(text) > max_length:
        raise ValidationFailed(f"At most {max_length} characters.", code=code, field=field)
    return text


def cents_checked(value: int, *, field: str, code: str, allow_zero: bool = False) -> int:
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationFailed("Give an amount above zero.", code=code, field=field)
    if value > MAX_CENTS:
        raise ValidationFailed("That amount is too large.", code=code, field=field)
    return value


def category_checked(value: str, *, code: str, field: str = "category") -> str:
    if value not in SpendCategory.values:
        raise ValidationFailed(f"Unknown category {value!r}.", code=code, field=field)
    return value


def _dates_checked(start: dt.date, end: dt.date, *, code: str, field: str) -> None:
    if end < start:
        raise ValidationFailed("The end comes before the start.", code=code, field=field)


def _forecast_stale() -> None:
    from groundgame.money import cashflow

    transaction.on_commit(cashflow.forecast_mark_stale, robust=True)


# --- Vendors -------------------------------------------------------------------------------


def vendor_upsert(
    *,
    actor: Actor,
    name: str,
    entity_type: str = Vendor.EntityType.ORGANIZATION,
    street_1: str = "",
    street_2: str = "",
    city: str = "",
    state: str = "",
    zip_code: str = "",
) -> Vendor:
    """The vendor of this name, created or with its address brought up to date."""
    any_finance_checked(actor)
    code = errors.VENDOR_INVALID
    values = {
        "entity_type": entity_type,
        "street_1": text_checked(
            street_1, field="street_1", code=code, max_length=34, required=False
        ),
        "street_2": text_checked(
            street_2, field="street_2", code=code, max_length=34, required=False
        ),
        "city": text_checked(city, field="city", code=code, max_length=30, required=False),
        "state": text_checked(
            state, field="state", code=code, max_length=2, required=False
        ).upper(),
        "zip_code": text_checked(
            zip_code, field="zip_code", code=code, max_length=9, required=False
        ),
    }
    if entity_type not in Vendor.EntityType.values:
        raise ValidationFailed(
            f"Unknown entity type {entity_type!r}.", code=code, field="entity_type"
        )
    clean_name = text_checked(name, field="vendor", code=code, max_length=200, required=True)
    with transaction.atomic():
        vendor = Vendor.objects.select_for_update().filter(name=clean_name).first()
        if vendor is None:
            vendor = Vendor.objects.create(name=clean_name, **values)
            audit_create(actor=actor, action="vendor.create", instance=vendor)
            return vendor
        before = snapshot(vendor)
        for key, value in values.items():
            if value:
                setattr(vendor, key, value)
        vendor.save()
        audit_update(actor=actor, action="vendor.update", instance=vendor, before=before)
    return vendor


def _vendor(vendor_id: int, *, code: str) -> Vendor:
    vendor = Vendor.objects.filter(pk=vendor_id).first()
    if vendor is None:
        raise ValidationFailed("No such vendor.", code=code, field="vendor")
    return vendor


# --- Budget --------------------------------------------------------------------------------


def budget_line_set(
    *,
    actor: Actor,
    category: str,
    org_unit_id: int,
    period_start: dt.date,
    period_end: dt.date,
    amount_cents: int,
    note: str = "",
) -> BudgetLine:
    """The budget of one category in one unit for the period starting that day (set again,
    it is changed, not added twice)."""
    code = errors.BUDGET_LINE_INVALID
    category_checked(category, code=code)
    _dates_checked(period_start, period_end, code=code, field="period_end")
    cents_checked(amount_cents, field="amount", code=code, allow_zero=True)
    note = text_checked(note, field="note", code=code, max_length=200, required=False)
    unit = unit_checked(actor, org_unit_id)
    with transaction.atomic():
        line = (
            BudgetLine.objects.select_for_update()
            .filter(category=category, org_unit=unit, period_start=period_start)
            .first()
        )
        if line is None:
            line = BudgetLine.objects.create(
                category=category,
                org_unit=unit,
                period_start=period_start,
                period_end=period_end,
                amount_cents=amount_cents,
                note=note,
            )
            audit_create(actor=actor, action="budget_line.create", instance=line)
        else:
            before = snapshot(line)
            line.period_end, line.amount_cents, line.note = period_end, amount_cents, note
            line.save()
            audit_update(actor=actor, action="budget_line.update", instance=line, before=before)
    return line


# --- Commitments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeInput:
    due_on: dt.date
    amount_cents: int
    description: str = ""


def commitment_create(
    *,
    actor: Actor,
    kind: str,
    title: str,
    vendor_id: int,
    category: str,
    org_unit_id: int,
    starts_on: dt.date,
    ends_on: dt.date,
    weekly_cents: int = 0,
    cancellation_notice_days: int = 0,
    cancellation_terms: str = "",
    retainer_cents: int = 0,
    commission_basis_points: int = 0,
    commission_category: str = "",
    amount_cents: int = 0,
    reference: str = "",
    fees: Sequence[FeeInput] = (),
) -> Commitment:
    """A TV reservation (flight, weekly amount, notice to cancel), a consultant's contract
    (retainer, fee schedule, commission on a category's spend) or a vendor's invoice (total,
    due date)."""
    code = errors.COMMITMENT_INVALID
    if kind not in Commitment.Kind.values:
        raise ValidationFailed(f"Unknown kind {kind!r}.", code=code, field="kind")
    title = text_checked(title, field="title", code=code, max_length=200, required=True)
    category_checked(category, code=code)
    _dates_checked(starts_on, ends_on, code=code, field="ends_on")
    terms = text_checked(
        cancellation_terms, field="cancellation_terms", code=code, max_length=300, required=False
    )
    reference = text_checked(reference, field="reference", code=code, max_length=60, required=False)
    if kind == Commitment.Kind.TV_RESERVATION:
        cents_checked(weekly_cents, field="weekly", code=code)
        if cancellation_notice_days > 366:
            raise ValidationFailed(
                "At most a year's notice.", code=code, field="cancellation_notice_days"
            )
    elif kind == Commitment.Kind.CONSULTANT:
        cents_checked(retainer_cents, field="retainer", code=code, allow_zero=True)
        if not 0 <= commission_basis_points <= 10_000:
            raise ValidationFailed(
                "A commission is between 0% and 100%.", code=code, field="commission"
            )
        if commission_basis_points:
            category_checked(commission_category, code=code, field="commission_category")
        for fee in fees:
            cents_checked(fee.amount_cents, field="fees", code=code)
        if not (retainer_cents or commission_basis_points or fees):
            raise ValidationFailed(
                "Give a retainer, a commission or a fee.", code=code, field="retainer"
            )
    else:
        cents_checked(amount_cents, field="amount", code=code)
    vendor = _vendor(vendor_id, code=code)
    unit = unit_checked(actor, org_unit_id)
    is_tv = kind == Commitment.Kind.TV_RESERVATION
    is_consultant = kind == Commitment.Kind.CONSULTANT
    with transaction.atomic():
        commitment = Commitment.objects.create(
            kind=kind,
            title=title,
            vendor=vendor,
            category=category,
            org_unit=unit,
            starts_on=starts_on,
            ends_on=ends_on,
            weekly_cents=weekly_cents if is_tv else 0,
            cancellation_notice_days=cancellation_notice_days if is_tv else 0,
            cancellation_terms=terms,
            retainer_cents=retainer_cents if is_consultant else 0,
            commission_basis_points=commission_basis_points if is_consultant else 0,
            commission_category=commission_category if is_consultant else "",
            amount_cents=amount_cents if kind == Commitment.Kind.INVOICE else 0,
            reference=reference,
        )
        if is_consultant:
            ConsultantFee.objects.bulk_create(
                ConsultantFee(
                    commitment=commitment,
                    due_on=f.due_on,
                    amount_cents=f.amount_cents,
                    description=text_checked(
                        f.description, field="fees", code=code, max_length=200, required=False
                    ),
                )
                for f in fees
            )
        audit_create(actor=actor, action=f"commitment.{kind}.create", instance=commitment)
        _forecast_stale()
    return commitment


def commitment_cancel(*, actor: Actor, commitment_id: int, on: dt.date) -> Commitment:
    """Cancel on ``on``: what the terms still owe stays committed (weeks past their notice,
    fees already due), the rest is released."""
    commitment = Commitment.objects.filter(pk=commitment_id).select_related("org_unit").first()
    if commitment is None:
        raise NotFound("No such commitment.", code=errors.COMMITMENT_NOT_FOUND)
    unit_checked(actor, commitment.org_unit_id)
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update().get(pk=commitment_id)
        if commitment.cancelled_on is not None:
            raise ValidationFailed(
                "It is already cancelled.", code=errors.COMMITMENT_CANCELLED, field="cancelled_on"
            )
        before = snapshot(commitment)
        commitment.cancelled_on = on
        commitment.save(update_fields=["cancelled_on", "updated_at"])
        audit_update(actor=actor, action="commitment.cancel", instance=commitment, before=before)
        _forecast_stale()
    return commitment


# --- Disbursements and debts ---------------------------------------------------------------


@dataclass(frozen=True)
class DisbursementInput:
    """One payment as entered or read from a file, before it is checked."""

    vendor_id: int
    paid_on: dt.date
    amount_cents: int
    category: str
    org_unit_id: int
    purpose: str
    transaction_id: str = ""
    fec_category_code: str = ""
    memo: bool = False
    commitment_id: int | None = None
    debt_id: int | None = None
    committee_id: int | None = None


def _committee_checked(committee_id: int | None, *, code: str) -> None:
    if committee_id is not None and not Committee.objects.filter(pk=committee_id).exists():
        raise ValidationFailed("No such committee.", code=code, field="committee")


def disbursement_checked(entry: DisbursementInput) -> DisbursementInput:
    """The entry with its text cleaned, or the first thing wrong with it."""
    code = errors.DISBURSEMENT_INVALID
    cents_checked(entry.amount_cents, field="amount", code=code)
    category_checked(entry.category, code=code)
    purpose = text_checked(entry.purpose, field="purpose", code=code, max_length=100, required=True)
    tid = text_checked(
        entry.transaction_id, field="transaction_id", code=code, max_length=20, required=False
    )
    if entry.fec_category_code and entry.fec_category_code not in FEC_CATEGORY_CODES:
        raise ValidationFailed(
            "The FEC's category codes are 001 to 012.", code=code, field="category_code"
        )
    if (
        entry.commitment_id is not None
        and not Commitment.objects.filter(pk=entry.commitment_id).exists()
    ):
        raise ValidationFailed("No such commitment.", code=code, field="commitment")
    if entry.debt_id is not None and not Debt.objects.filter(pk=entry.debt_id).exists():
        raise ValidationFailed("No such debt.", code=code, field="debt")
    _committee_checked(entry.committee_id, code=code)
    return DisbursementInput(
        vendor_id=entry.vendor_id,
        paid_on=entry.paid_on,
        amount_cents=entry.amount_cents,
        category=entry.category,
        org_unit_id=entry.org_unit_id,
        purpose=purpose,
        transaction_id=tid,
        fec_category_code=entry.fec_category_code,
        memo=entry.memo,
        commitment_id=entry.commitment_id,
        debt_id=entry.debt_id,
        committee_id=entry.committee_id,
    )


def disbursement_row(entry: DisbursementInput) -> Disbursement:
    return Disbursement(
        transaction_id=entry.transaction_id,
        vendor_id=entry.vendor_id,
        paid_on=entry.paid_on,
        amount_cents=entry.amount_cents,
        category=entry.category,
        org_unit_id=entry.org_unit_id,
        purpose=entry.purpose,
        fec_category_code=entry.fec_category_code,
        memo=entry.memo,
        commitment_id=entry.commitment_id,
        debt_id=entry.debt_id,
        committee_id=entry.committee_id,
    )


def disbursement_create(*, actor: Actor, entry: DisbursementInput) -> Disbursement:
    """One payment that left. Without a transaction id it gets a new one;
    with the id of one already recorded it is refused, not recorded twice."""
    entry = disbursement_checked(entry)
    _vendor(entry.vendor_id, code=errors.DISBURSEMENT_INVALID)
    unit_checked(actor, entry.org_unit_id)
    try:
        with transaction.atomic():
            row = disbursement_row(entry)
            row.transaction_id = row.transaction_id or f"SB{uuid.uuid4().hex[:18].upper()}"
            row.save()
            audit_create(actor=actor, action="disbursement.create", instance=row)
            _forecast_stale()
    except IntegrityError:
        raise ValidationFailed(
            f"Disbursement {entry.transaction_id} is already recorded.",
            code=errors.DISBURSEMENT_DUPLICATE,
            field="transaction_id",
        ) from None
    return row


def debt_create(
    *,
    actor: Actor,
    vendor_id: int,
    purpose: str,
    incurred_on: dt.date,
    amount_cents: int,
    org_unit_id: int,
    commitment_id: int | None = None,
    committee_id: int | None = None,
) -> Debt:
    """A debt the committee owes (Schedule D); payments against it are disbursements."""
    code = errors.DEBT_INVALID
    purpose = text_checked(purpose, field="purpose", code=code, max_length=100, required=True)
    cents_checked(amount_cents, field="amount", code=code)
    vendor = _vendor(vendor_id, code=code)
    unit_checked(actor, org_unit_id)
    if commitment_id is not None and not Commitment.objects.filter(pk=commitment_id).exists():
        raise ValidationFailed("No such commitment.", code=code, field="commitment")
    _committee_checked(committee_id, code=code)
    with transaction.atomic():
        debt = Debt.objects.create(
            committee_id=committee_id,
            vendor=vendor,
            purpose=purpose,
            incurred_on=incurred_on,
            amount_cents=amount_cents,
            commitment_id=commitment_id,
        )
        audit_create(actor=actor, action="debt.create", instance=debt)
        _forecast_stale()
    return debt


# --- Cash-flow settings and goals ----------------------------------------------------------


def cash_settings_get() -> CashSettings:
    settings_row, _ = CashSettings.objects.get_or_create(pk=1)
    return settings_row


def _staff_user(user_id: int | None, *, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationFailed(
            "No such staff member.", code=errors.CASH_SETTINGS_INVALID, field=field
        )
    return user


def cash_settings_set(
    *,
    actor: Actor,
    floor_cents: int,
    horizon_days: int,
    election_day: dt.date | None,
    treasurer_id: int | None = None,
    campaign_manager_id: int | None = None,
) -> CashSettings:
    """The treasurer's floor, the alert's horizon, election day and who is told."""
    code = errors.CASH_SETTINGS_INVALID
    campaign_wide_checked(actor)
    cents_checked(floor_cents, field="floor", code=code, allow_zero=True)
    if not 1 <= horizon_days <= 730:
        raise ValidationFailed("A horizon of 1 to 730 days.", code=code, field="horizon_days")
    treasurer = _staff_user(treasurer_id, field="treasurer")
    manager = _staff_user(campaign_manager_id, field="campaign_manager")
    with transaction.atomic():
        row = cash_settings_get()
        before = snapshot(row)
        row.floor_cents, row.horizon_days, row.election_day = (
            floor_cents,
            horizon_days,
            election_day,
        )
        row.treasurer, row.campaign_manager = treasurer, manager
        row.save()
        audit_update(actor=actor, action="cash_settings.update", instance=row, before=before)
        _forecast_stale()
    return row


def fundraising_goal_set(
    *, actor: Actor, name: str, starts_on: dt.date, deadline: dt.date, target_cents: int
) -> FundraisingGoal:
    """Raise ``target_cents`` from ``starts_on`` to ``deadline``; set again by name, changed."""
    code = errors.GOAL_INVALID
    campaign_wide_checked(actor)
    name = text_checked(name, field="name", code=code, max_length=120, required=True)
    _dates_checked(starts_on, deadline, code=code, field="deadline")
    cents_checked(target_cents, field="target", code=code)
    with transaction.atomic():
        goal = FundraisingGoal.objects.select_for_update().filter(name=name).first()
        if goal is None:
            goal = FundraisingGoal.objects.create(
                name=name, starts_on=starts_on, deadline=deadline, target_cents=target_cents
            )
            audit_create(actor=actor, action="fundraising_goal.create", instance=goal)
        else:
            before = snapshot(goal)
            goal.starts_on, goal.deadline, goal.target_cents = starts_on, deadline, target_cents
            goal.save()
            audit_update(
                actor=actor, action="fundraising_goal.update", instance=goal, before=before
            )
    return goal
