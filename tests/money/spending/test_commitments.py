"""What commitments will cost and when: TV weeks and their cancellation terms, a
consultant's retainer, fees and commission on the spend it buys, what payments settle."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from groundgame.money import commitments
from groundgame.money.models import Commitment
from groundgame.money.services import spending
from tests.conftest import Campaign

D = dt.date


def _tv(**terms: Any) -> Commitment:
    return Commitment(
        pk=1,
        kind=Commitment.Kind.TV_RESERVATION,
        starts_on=D(2026, 9, 1),
        ends_on=D(2026, 9, 28),
        weekly_cents=100_000_00,
        **terms,
    )


def test_a_reservation_owes_every_week_of_its_flight() -> None:
    weeks = commitments.tv_installments(_tv())
    assert [w.due_on for w in weeks] == [
        D(2026, 9, 1),
        D(2026, 9, 8),
        D(2026, 9, 15),
        D(2026, 9, 22),
    ]
    assert sum(w.cents for w in weeks) == 400_000_00


def test_cancelled_it_still_owes_the_weeks_past_their_notice() -> None:
    # Cancelled on Sep 5 with 14 days' notice: the weeks of Sep 1, 8 and 15 could no longer
    # be released (their last days to cancel were Aug 18, Aug 25 and Sep 1), that of Sep 22
    # could (until Sep 8).
    weeks = commitments.tv_installments(
        _tv(cancelled_on=D(2026, 9, 5), cancellation_notice_days=14)
    )
    assert [w.due_on for w in weeks] == [D(2026, 9, 1), D(2026, 9, 8), D(2026, 9, 15)]
    assert commitments.week_owed_after(D(2026, 9, 15), 14) == D(2026, 9, 1)


def test_a_consultant_is_owed_retainers_fees_and_commission_on_the_spend() -> None:
    c = Commitment(
        pk=2,
        kind=Commitment.Kind.CONSULTANT,
        starts_on=D(2026, 8, 15),
        ends_on=D(2026, 9, 30),
        retainer_cents=10_000_00,
        commission_basis_points=1_500,
        commission_category="media_tv",
    )
    spend = {(2026, 8): 200_000_00, (2026, 9): 400_000_01}
    items = commitments.consultant_installments(c, [], spend)
    assert [(i.due_on, i.cents) for i in items] == [
        (D(2026, 8, 15), 10_000_00),
        (D(2026, 8, 31), 30_000_00),
        (D(2026, 9, 1), 10_000_00),
        (D(2026, 9, 30), 60_000_00),  # 15% of $400,000.01, to the nearest cent
    ]


def test_payments_settle_the_earliest_installments_and_overdue_ones_are_due_now() -> None:
    weeks = commitments.tv_installments(_tv())
    left = commitments.still_owed(weeks, 150_000_00, today=D(2026, 9, 10))
    assert [(i.due_on, i.cents) for i in left] == [
        (D(2026, 9, 10), 50_000_00),  # the rest of the week of Sep 8, overdue
        (D(2026, 9, 15), 100_000_00),
        (D(2026, 9, 22), 100_000_00),
    ]


@pytest.mark.django_db
def test_the_commission_follows_the_spend_it_applies_to(
    campaign: Campaign, treasurer: Any, vendor: Any
) -> None:
    """A consultant on 15% of TV: paying the station more raises what they are owed."""
    consultant = spending.commitment_create(
        actor=treasurer,
        kind="consultant",
        title="Media buying",
        vendor_id=vendor.pk,
        category="consultants",
        org_unit_id=campaign.national.pk,
        starts_on=D(2026, 7, 1),
        ends_on=D(2026, 7, 31),
        commission_basis_points=1_500,
        commission_category="media_tv",
    )
    for cents in (100_000_00, 20_000_00):
        spending.disbursement_create(
            actor=treasurer,
            entry=spending.DisbursementInput(
                vendor_id=vendor.pk,
                paid_on=D(2026, 7, 10),
                amount_cents=cents,
                category="media_tv",
                org_unit_id=campaign.national.pk,
                purpose="TV airtime",
            ),
        )
    _, schedules = commitments.commitment_schedules()
    assert [(i.due_on, i.cents) for i in schedules[consultant.pk]] == [(D(2026, 7, 31), 18_000_00)]
