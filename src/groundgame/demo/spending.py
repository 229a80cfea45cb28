"""The synthetic campaign's spending: a quarter of it, so the money pages tell a story on
first run.

A budget per category for the quarter; a TV reservation whose flight runs past today with
two weeks' notice to cancel a week; a media consultant on a monthly retainer and 15% of the
TV buy; printing invoices, one still unpaid and carried as a debt; and weekly payroll, rent,
digital ads and field costs paid over the quarter. The TV flight costs more each week than a
week raises: cash is forecast to run under the treasurer's floor (half a week's receipts) within
weeks, which opens the cash alert.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from groundgame.money import selectors as ledger
from groundgame.money import services as money

QUARTER_DAYS = 91


@dataclass(frozen=True)
class SpendingReport:
    disbursements: int
    commitments: int


def spending_create(*, seed: int, national_id: int) -> SpendingReport:
    rng = random.Random(seed)
    today = timezone.localdate()
    start = today - dt.timedelta(days=QUARTER_DAYS)
    # The quarter's receipts (``demo.money``'s gifts) set the scale of everything spent, so
    # the story holds at any scale; with none, a nominal $100,000.
    raised = ledger.receipts_totals().net_cents or 100_000_00
    weekly = raised // 13
    # The station's weeks cost more than a week raises: the flight is the story.
    tv_week = round(weekly * 1.4)

    for category, share in (
        ("media_tv", 0.45),
        ("media_digital", 0.10),
        ("staff", 0.18),
        ("field", 0.08),
        ("mail", 0.05),
        ("digital", 0.04),
        ("consultants", 0.08),
        ("events", 0.03),
        ("overhead", 0.04),
    ):
        money.budget_line_set(
            actor=None,
            category=category,
            org_unit_id=national_id,
            period_start=start,
            period_end=today + dt.timedelta(days=QUARTER_DAYS),
            amount_cents=round(raised * 2 * share),
        )

    def vendor(name: str, city: str, state: str, kind: str = "ORG") -> int:
        return money.vendor_upsert(
            actor=None,
            name=name,
            entity_type=kind,
            street_1="100 Main St",
            city=city,
            state=state,
            zip_code="20001",
        ).pk

    station = vendor("Keystone Broadcasting", "Philadelphia", "PA")
    consultant = vendor("Northstar Media Strategies", "Washington", "DC")
    printer = vendor("Union Print Works", "Detroit", "MI")
    ads = vendor("Open Ads Network", "Oakland", "CA")
    landlord = vendor("Capitol Office Leasing", "Washington", "DC")
    payroll = vendor("Campaign Payroll Services", "Washington", "DC")

    flight_start = today - dt.timedelta(days=today.weekday() + 28)
    tv = money.commitment_create(
        actor=None,
        kind="tv_reservation",
        title="Philadelphia and Pittsburgh fall flight",
        vendor_id=station,
        category="media_tv",
        org_unit_id=national_id,
        starts_on=flight_start,
        ends_on=flight_start + dt.timedelta(weeks=11),
        weekly_cents=tv_week,
        cancellation_notice_days=14,
        cancellation_terms="A week is owed once its start is less than 14 days away.",
    )
    retainer = money.commitment_create(
        actor=None,
        kind="consultant",
        title="Media strategy and buying",
        vendor_id=consultant,
        category="consultants",
        org_unit_id=national_id,
        starts_on=start,
        ends_on=today + dt.timedelta(days=QUARTER_DAYS),
        retainer_cents=round(weekly * 0.15),
        commission_basis_points=1_500,
        commission_category="media_tv",
        fees=[
            money.FeeInput(due_on=start, amount_cents=round(weekly * 0.2), description="signing")
        ],
    )
    paid_invoice = money.commitment_create(
        actor=None,
        kind="invoice",
        title="Door hangers, 400,000",
        vendor_id=printer,
        category="field",
        org_unit_id=national_id,
        starts_on=start + dt.timedelta(days=20),
        ends_on=start + dt.timedelta(days=50),
        amount_cents=round(weekly * 0.3),
        reference="UPW-2291",
    )
    unpaid = money.commitment_create(
        actor=None,
        kind="invoice",
        title="Persuasion mail, wave 2",
        vendor_id=printer,
        category="mail",
        org_unit_id=national_id,
        starts_on=today - dt.timedelta(days=40),
        ends_on=today - dt.timedelta(days=10),
        amount_cents=round(weekly * 0.35),
        reference="UPW-2307",
    )
    money.debt_create(
        actor=None,
        vendor_id=printer,
        purpose="Persuasion mail, wave 2 (invoice UPW-2307)",
        incurred_on=today - dt.timedelta(days=40),
        amount_cents=round(weekly * 0.35),
        org_unit_id=national_id,
        commitment_id=unpaid.pk,
    )

    def pay(
        day: dt.date,
        who: int,
        cents: int,
        category: str,
        purpose: str,
        code: str,
        commitment_id: int | None = None,
    ) -> None:
        money.disbursement_create(
            actor=None,
            entry=money.DisbursementInput(
                vendor_id=who,
                paid_on=day,
                amount_cents=cents,
                category=category,
                org_unit_id=national_id,
                purpose=purpose,
                fec_category_code=code,
                commitment_id=commitment_id,
            ),
        )

    payments = 0
    for week in range(13):
        monday = start + dt.timedelta(weeks=week)
        noise = rng.uniform(0.85, 1.15)
        pay(monday, payroll, round(weekly * 0.14 * noise), "staff", "Payroll", "001")
        pay(monday, ads, round(weekly * 0.08 * noise), "media_digital", "Online ads", "004")
        payments += 2
        if week % 4 == 0:
            pay(monday, landlord, round(weekly * 0.05), "overhead", "Office rent", "001")
            payments += 1
    # What the terms called for up to today, paid: the TV weeks, the retainer and fee, the
    # commission so far, the first invoice.
    _, schedules = ledger.commitment_schedules()
    for commitment_id, code, purpose in (
        (tv.pk, "004", "TV airtime"),
        (retainer.pk, "001", "Media consulting"),
        (paid_invoice.pk, "006", "Printing"),
    ):
        for item in schedules[commitment_id]:
            if item.due_on <= today:
                category = {tv.pk: "media_tv", retainer.pk: "consultants"}.get(
                    commitment_id, "field"
                )
                pay(
                    item.due_on,
                    {tv.pk: station, retainer.pk: consultant}.get(commitment_id, printer),
                    item.cents,
                    category,
                    purpose,
                    code,
                    commitment_id,
                )
                payments += 1

    money.cash_settings_set(
        actor=None,
        floor_cents=weekly // 2,
        horizon_days=60,
        election_day=today + dt.timedelta(days=QUARTER_DAYS),
    )
    quarter_end = today + dt.timedelta(days=QUARTER_DAYS - 1)
    money.fundraising_goal_set(
        actor=None,
        name="This quarter",
        starts_on=start,
        deadline=today + dt.timedelta(days=14),
        target_cents=round(raised * 1.15),
    )
    money.fundraising_goal_set(
        actor=None,
        name="Next FEC deadline",
        starts_on=today,
        deadline=quarter_end,
        target_cents=round(raised * 1.3),
    )
    money.cashflow_refresh()
    return SpendingReport(disbursements=payments, commitments=4)
