"""Cash on hand, the forecast with its interval, and the alert that reaches the treasurer
and the campaign manager once per cause."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from groundgame.audit.models import AuditEvent
from groundgame.money import cashflow, forecast
from groundgame.money.models import CashAlert
from groundgame.money.services import spending
from groundgame.organizing import services as organizing
from groundgame.people import services as people
from tests.conftest import Campaign
from tests.money.spending import receipts

D = dt.date
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# One step of a campaign's money: a gift, a refund of part of an earlier gift, a payment
# (a memo entry itemizes a payment counted elsewhere, so it moves no money).
steps = st.lists(
    st.one_of(
        st.tuples(st.just("gift"), st.integers(1, 10**9), st.integers(0, 60)),
        st.tuples(st.just("refund"), st.floats(0, 1), st.integers(0, 60)),
        st.tuples(st.just("pay"), st.integers(1, 10**9), st.integers(0, 60)),
        st.tuples(st.just("memo"), st.integers(1, 10**9), st.integers(0, 60)),
    ),
    max_size=25,
)


class CashIdentity(TestCase):
    """Receipts minus refunds minus disbursements is cash, whatever happened in what order;
    the forecast starts from it, and the daily receipts it resamples add up to the same."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.unit = organizing.org_unit_create(actor=None, name="National", kind="national")
        cls.person = people.person_create(actor=None, first_name="Dee", last_name="Donor")
        cls.vendor = spending.vendor_upsert(actor=None, name="Vendor")

    @settings(max_examples=30, deadline=None)
    @given(steps)
    def test_cash_is_receipts_less_refunds_less_disbursements(self, plan: list[Any]) -> None:
        start = D(2026, 6, 1)
        gifts: list[Any] = []
        taken: dict[int, int] = {}
        received = refunded = paid = 0
        for n, (kind, value, offset) in enumerate(plan):
            day = start + dt.timedelta(days=offset)
            if kind == "gift":
                gifts.append(receipts.gift(person_id=self.person.pk, cents=value, day=day))
                received += value
            elif kind == "refund" and gifts:
                gift = gifts[n % len(gifts)]
                left = gift.amount_cents - taken.get(gift.pk, 0)
                cents = int(left * value)
                if cents:
                    receipts.refund(of=gift, cents=cents, day=day)
                    taken[gift.pk] = taken.get(gift.pk, 0) + cents
                    refunded += cents
            elif kind in ("pay", "memo"):
                spending.disbursement_create(
                    actor=None,
                    entry=spending.DisbursementInput(
                        vendor_id=self.vendor.pk,
                        paid_on=day,
                        amount_cents=value,
                        category="overhead",
                        org_unit_id=self.unit.pk,
                        purpose="Rent",
                        memo=kind == "memo",
                    ),
                )
                paid += value if kind == "pay" else 0
        position = cashflow.cash_position()
        assert position.cash_cents == received - refunded - paid
        assert (position.receipts_cents, position.refunds_cents) == (received, refunded)
        window = cashflow.daily_net_receipts(start=start, end=start + dt.timedelta(days=61))
        assert sum(window) == received - refunded
        today = start + dt.timedelta(days=61)
        snapshot = cashflow.cashflow_compute(today=today)
        assert snapshot.forecast.cash_today_cents == received - refunded - paid


def test_the_forecast_crosses_zero_when_a_payment_outruns_the_pace() -> None:
    """$1,000 a day, give or take, against $30,000 due in ten days from $15,000 in hand."""
    history = [100_000 + (i % 7 - 3) * 20_000 for i in range(56)]
    result = forecast.forecast(
        first_day=D(2026, 9, 1),
        last_day=D(2026, 9, 12),
        cash_today_cents=15_000_00,
        history=history,
        outflows={D(2026, 9, 10): 30_000_00},
        floor_cents=10_000_00,
    )
    assert result.below_zero is not None
    assert result.below_zero.on == D(2026, 9, 10)
    assert result.below_zero.likely
    assert result.below_floor is not None
    assert result.below_floor.on <= result.below_zero.on
    # The interval is honest: receipts vary, so the futures spread.
    assert result.low[-1] < result.median[-1] < result.high[-1]
    # Twelve days of about $1,000 do not make up the $15,000 missing: about $3,000 is owed.
    assert 1_000_00 < result.debt_median_cents <= result.debt_high_cents < 6_000_00


def test_with_no_history_receipts_are_nothing_and_the_band_is_a_line() -> None:
    result = forecast.forecast(
        first_day=D(2026, 9, 1),
        last_day=D(2026, 9, 3),
        cash_today_cents=500,
        history=[],
        outflows={D(2026, 9, 2): 200},
    )
    assert result.median == result.low == result.high == (500, 300, 300)
    assert result.below_zero is None
    assert result.history_days == 0


def test_a_goal_far_above_the_pace_is_unlikely_and_one_below_it_likely() -> None:
    history = [100_000] * 56
    easy = forecast.goal_outlook(
        history=history, days_left=30, raised_cents=0, target_cents=20_000_00
    )
    hard = forecast.goal_outlook(
        history=history, days_left=30, raised_cents=0, target_cents=60_000_00
    )
    assert easy.chance == 1.0
    assert hard.chance == 0.0
    assert easy.median_cents == 30_000_00


@pytest.mark.django_db
def test_an_alert_reaches_the_treasurer_and_manager_once_per_cause(
    campaign: Campaign,
    treasurer: Any,
    make_staff: Any,
    vendor: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = IMMEDIATE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    manager = make_staff("manny", role="director", unit=campaign.national)
    manager.email = "manny@campaign.example"
    manager.save()
    today = D(2026, 9, 1)
    spending.cash_settings_set(
        actor=treasurer,
        floor_cents=0,
        horizon_days=30,
        election_day=D(2026, 11, 3),
        treasurer_id=treasurer.pk,
        campaign_manager_id=manager.pk,
    )
    # Nothing raised, an invoice of $5,000 due in 20 days: cash goes below zero then.
    spending.commitment_create(
        actor=treasurer,
        kind="invoice",
        title="Print run",
        vendor_id=vendor.pk,
        category="mail",
        org_unit_id=campaign.national.pk,
        starts_on=today,
        ends_on=today + dt.timedelta(days=20),
        amount_cents=5_000_00,
    )
    with django_capture_on_commit_callbacks(execute=True):
        cashflow.cashflow_refresh(today=today)
    (alert,) = cashflow.cash_alerts_open()
    assert (alert.line, alert.crossing_on, alert.probability) == ("zero", D(2026, 9, 21), 1.0)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "manny@campaign.example",
        "tess@campaign.example",
    ]
    assert "September 21, 2026" in mail.outbox[0].body
    # The next runs find the same cause: no second email, the alert kept up to date.
    with django_capture_on_commit_callbacks(execute=True):
        cashflow.cashflow_refresh(today=today + dt.timedelta(days=1))
        cashflow.cashflow_refresh(today=today + dt.timedelta(days=2))
    assert len(mail.outbox) == 2
    assert CashAlert.objects.count() == 1
    assert AuditEvent.objects.filter(action="cash_alert.open").count() == 1


@pytest.mark.django_db
def test_a_crossing_beyond_the_horizon_raises_no_alert(
    campaign: Campaign, treasurer: Any, vendor: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = D(2026, 9, 1)
    spending.cash_settings_set(
        actor=treasurer, floor_cents=0, horizon_days=10, election_day=D(2026, 11, 3)
    )
    spending.commitment_create(
        actor=treasurer,
        kind="invoice",
        title="Print run",
        vendor_id=vendor.pk,
        category="mail",
        org_unit_id=campaign.national.pk,
        starts_on=today,
        ends_on=today + dt.timedelta(days=20),
        amount_cents=5_000_00,
    )
    snapshot = cashflow.cashflow_refresh(today=today)
    assert snapshot.forecast.below_zero is not None
    assert cashflow.cash_alerts_open() == []
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_health_series_end_at_cash_on_hand(
    campaign: Campaign, treasurer: Any, vendor: Any
) -> None:
    """Dollars raised and cash on hand per day, as the health dashboard reads them."""
    from groundgame.money import metrics

    gift = receipts.gift(person_id=campaign.alice.pk, cents=50_000, day=D(2026, 6, 2))
    receipts.refund(of=gift, cents=10_000, day=D(2026, 6, 3))
    spending.disbursement_create(
        actor=treasurer,
        entry=spending.DisbursementInput(
            vendor_id=vendor.pk,
            paid_on=D(2026, 6, 3),
            amount_cents=15_000,
            category="overhead",
            org_unit_id=campaign.national.pk,
            purpose="Rent",
        ),
    )
    raised = metrics.raised_by_day(start=D(2026, 6, 1), end=D(2026, 6, 4))
    assert [r.cents for r in raised] == [0, 50_000, -10_000]
    cash = metrics.cash_on_hand_by_day(start=D(2026, 6, 1), end=D(2026, 6, 4))
    assert [c.cents for c in cash] == [0, 50_000, 25_000]
    assert cash[-1].cents == cashflow.cash_position().cash_cents


def test_a_band_and_values_below_zero_are_drawn_on_their_own_axis() -> None:
    from groundgame.core.templatetags.charts import line_chart, line_chart_svg

    svg = line_chart_svg(
        line_chart(
            "Cash",
            "Cash, forecast",
            ["Mon", "Tue", "Wed"],
            [("Middle", [100.0, -50.0, 20.0])],
            band=([80.0, -90.0, -10.0], [120.0, -10.0, 60.0]),
        )
    )
    assert svg.count('class="chart-band"') == 1
    assert 'class="chart-zero"' in svg
    assert ">-100<" in svg  # the axis reaches down to the lowest value of the band
