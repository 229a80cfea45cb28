"""Budget, commitments, disbursements and debts: only finance (in its units) and national
admins write them, every write has its audit row, bad input names its field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from groundgame.audit.models import AuditEvent
from groundgame.core.errors import PermissionDenied, ValidationFailed
from groundgame.money import errors
from groundgame.money.models import BudgetLine, Commitment, Disbursement
from groundgame.money.services import spending
from tests.conftest import Campaign

pytestmark = pytest.mark.django_db
D = dt.date


def _budget(actor: Any, unit: Any, cents: int = 500_000_00) -> BudgetLine:
    return spending.budget_line_set(
        actor=actor,
        category="field",
        org_unit_id=unit.pk,
        period_start=D(2026, 7, 1),
        period_end=D(2026, 9, 30),
        amount_cents=cents,
    )


def _payment(unit: Any, vendor: Any, **kw: Any) -> spending.DisbursementInput:
    values: dict[str, Any] = {
        "vendor_id": vendor.pk,
        "paid_on": D(2026, 7, 3),
        "amount_cents": 12_345,
        "category": "field",
        "org_unit_id": unit.pk,
        "purpose": "Clipboards",
    }
    return spending.DisbursementInput(**{**values, **kw})


def test_a_budget_line_set_twice_is_changed_not_added(campaign: Campaign, treasurer: Any) -> None:
    _budget(treasurer, campaign.nc)
    line = _budget(treasurer, campaign.nc, 600_000_00)
    assert BudgetLine.objects.get().amount_cents == 600_000_00
    actions = list(
        AuditEvent.objects.filter(entity_id=str(line.pk), entity_type="money.budgetline")
        .order_by("at")
        .values_list("action", flat=True)
    )
    assert actions == ["budget_line.create", "budget_line.update"]


def test_finance_writes_inside_its_units_only(
    campaign: Campaign, durham_finance: Any, vendor: Any
) -> None:
    _budget(durham_finance, campaign.durham)
    spending.disbursement_create(actor=durham_finance, entry=_payment(campaign.durham, vendor))
    for write in (
        lambda: _budget(durham_finance, campaign.guilford),
        lambda: spending.disbursement_create(
            actor=durham_finance, entry=_payment(campaign.guilford, vendor)
        ),
        lambda: spending.debt_create(
            actor=durham_finance,
            vendor_id=vendor.pk,
            purpose="Printing",
            incurred_on=D(2026, 7, 1),
            amount_cents=100,
            org_unit_id=campaign.guilford.pk,
        ),
    ):
        with pytest.raises(PermissionDenied) as raised:
            write()
        assert raised.value.code == errors.NOT_FINANCE
    assert Disbursement.objects.count() == 1


def test_organizers_and_directors_without_finance_change_no_money(
    campaign: Campaign, make_staff: Any, vendor: Any
) -> None:
    director = make_staff("dora", role="director", unit=campaign.nc)
    organizer = make_staff("olga", role="organizer", unit=campaign.national)
    for actor in (director, organizer):
        with pytest.raises(PermissionDenied):
            _budget(actor, campaign.durham)
        with pytest.raises(PermissionDenied):
            spending.commitment_create(
                actor=actor,
                kind="invoice",
                title="Printing",
                vendor_id=vendor.pk,
                category="mail",
                org_unit_id=campaign.durham.pk,
                starts_on=D(2026, 7, 1),
                ends_on=D(2026, 7, 31),
                amount_cents=100,
            )
        with pytest.raises(PermissionDenied):
            spending.vendor_upsert(actor=actor, name="Someone")
        with pytest.raises(PermissionDenied):
            spending.cash_settings_set(
                actor=actor, floor_cents=0, horizon_days=30, election_day=None
            )
    assert not BudgetLine.objects.exists()
    assert not Commitment.objects.exists()


def test_campaign_wide_settings_belong_to_national_finance_and_admins(
    campaign: Campaign, durham_finance: Any, national_admin: Any, treasurer: Any
) -> None:
    with pytest.raises(PermissionDenied):
        spending.cash_settings_set(
            actor=durham_finance, floor_cents=0, horizon_days=30, election_day=None
        )
    with pytest.raises(PermissionDenied):
        spending.fundraising_goal_set(
            actor=durham_finance,
            name="Q3",
            starts_on=D(2026, 7, 1),
            deadline=D(2026, 9, 30),
            target_cents=100,
        )
    row = spending.cash_settings_set(
        actor=national_admin,
        floor_cents=250_000_00,
        horizon_days=45,
        election_day=D(2026, 11, 3),
        treasurer_id=treasurer.pk,
    )
    assert (row.floor_cents, row.horizon_days, row.treasurer) == (250_000_00, 45, treasurer)
    assert AuditEvent.objects.filter(action="cash_settings.update").exists()


def test_a_commitment_names_what_is_wrong(campaign: Campaign, treasurer: Any, vendor: Any) -> None:
    base: dict[str, Any] = {
        "actor": treasurer,
        "title": "Fall flight",
        "vendor_id": vendor.pk,
        "category": "media_tv",
        "org_unit_id": campaign.national.pk,
        "starts_on": D(2026, 9, 1),
        "ends_on": D(2026, 10, 31),
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "tv_reservation", "weekly_cents": 0}, "weekly"),
        ({"kind": "tv_reservation", "weekly_cents": 1, "ends_on": D(2026, 8, 1)}, "ends_on"),
        ({"kind": "consultant"}, "retainer"),
        ({"kind": "consultant", "commission_basis_points": 20_000}, "commission"),
        ({"kind": "consultant", "commission_basis_points": 100}, "commission_category"),
        ({"kind": "invoice", "amount_cents": -5}, "amount"),
        ({"kind": "invoice", "amount_cents": 5, "title": "a\x00b"}, "title"),
        ({"kind": "nonsense"}, "kind"),
    ]
    for override, field in cases:
        with pytest.raises(ValidationFailed) as raised:
            spending.commitment_create(**{**base, **override})
        assert (raised.value.code, raised.value.field) == (errors.COMMITMENT_INVALID, field)
    assert not Commitment.objects.exists()


def test_a_transaction_id_is_recorded_once(campaign: Campaign, treasurer: Any, vendor: Any) -> None:
    entry = _payment(campaign.nc, vendor, transaction_id="SB-0001")
    spending.disbursement_create(actor=treasurer, entry=entry)
    with pytest.raises(ValidationFailed) as raised:
        spending.disbursement_create(actor=treasurer, entry=entry)
    assert raised.value.code == errors.DISBURSEMENT_DUPLICATE
    new = spending.disbursement_create(actor=treasurer, entry=_payment(campaign.nc, vendor))
    assert new.transaction_id.startswith("SB")
    assert len(new.transaction_id) <= 20
    assert Disbursement.objects.count() == 2
    assert AuditEvent.objects.filter(action="disbursement.create").count() == 2


def test_a_cancellation_is_audited_and_happens_once(
    campaign: Campaign, treasurer: Any, durham_finance: Any, vendor: Any
) -> None:
    tv = spending.commitment_create(
        actor=treasurer,
        kind="tv_reservation",
        title="Fall flight",
        vendor_id=vendor.pk,
        category="media_tv",
        org_unit_id=campaign.national.pk,
        starts_on=D(2026, 9, 1),
        ends_on=D(2026, 10, 31),
        weekly_cents=50_000_00,
        cancellation_notice_days=14,
    )
    with pytest.raises(PermissionDenied):
        spending.commitment_cancel(actor=durham_finance, commitment_id=tv.pk, on=D(2026, 9, 1))
    spending.commitment_cancel(actor=treasurer, commitment_id=tv.pk, on=D(2026, 9, 1))
    with pytest.raises(ValidationFailed) as raised:
        spending.commitment_cancel(actor=treasurer, commitment_id=tv.pk, on=D(2026, 9, 2))
    assert raised.value.code == errors.COMMITMENT_CANCELLED
    assert AuditEvent.objects.filter(action="commitment.cancel").count() == 1
