"""The spending pages through HTTP: every staff member sees the aggregates; only finance
writes, and bad input comes back at its field with a 4xx."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.urls import reverse

from groundgame.money.models import BudgetLine, Commitment, Disbursement
from groundgame.money.services import spending
from tests.conftest import Campaign
from tests.money.spending.test_disbursement_import import GOOD, HEADER

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def spent(campaign: Campaign, treasurer: Any, vendor: Any) -> None:
    spending.budget_line_set(
        actor=treasurer,
        category="media_tv",
        org_unit_id=campaign.national.pk,
        period_start=D(2026, 7, 1),
        period_end=D(2026, 9, 30),
        amount_cents=1_000_000_00,
    )
    spending.commitment_create(
        actor=treasurer,
        kind="tv_reservation",
        title="Fall flight",
        vendor_id=vendor.pk,
        category="media_tv",
        org_unit_id=campaign.national.pk,
        starts_on=D(2026, 9, 1),
        ends_on=D(2026, 9, 28),
        weekly_cents=300_000_00,
        cancellation_notice_days=14,
    )
    spending.disbursement_create(
        actor=treasurer,
        entry=spending.DisbursementInput(
            vendor_id=vendor.pk,
            paid_on=D(2026, 9, 1),
            amount_cents=300_000_00,
            category="media_tv",
            org_unit_id=campaign.national.pk,
            purpose="TV airtime",
        ),
    )


def test_an_organizer_sees_where_the_money_went(spent: None, organizer_client: Any) -> None:
    page = organizer_client.get(reverse("money:spending"))
    assert page.status_code == 200
    text = page.content.decode()
    # TV: a $1,000,000 budget, four weeks of $300,000 committed, one paid: over budget.
    assert "$1,200,000.00" in text
    assert "$300,000.00" in text
    assert "over budget" in text
    assert "<svg" in text
    # No forms for someone who may not write.
    budget = organizer_client.get(reverse("money:budget")).content.decode()
    assert 'value="commitment"' not in budget
    posted = organizer_client.post(
        reverse("money:budget"),
        {"action": "budget", "budget-category": "field", "budget-amount": "5"},
    )
    assert posted.status_code == 400
    assert not BudgetLine.objects.filter(category="field").exists()


def test_finance_records_a_commitment_and_bad_input_names_its_field(
    campaign: Campaign, treasurer: Any, client_for: Any
) -> None:
    client = client_for(treasurer)
    form = {
        "action": "commitment",
        "commitment-org_unit": campaign.national.pk,
        "commitment-kind": "consultant",
        "commitment-title": "Media consultant",
        "commitment-vendor": "Smart Media LLC",
        "commitment-category": "consultants",
        "commitment-starts_on": "2026-07-01",
        "commitment-ends_on": "2026-11-30",
        "commitment-retainer": "15,000",
        "commitment-commission_percent": "7.5",
        "commitment-commission_category": "media_tv",
    }
    done = client.post(reverse("money:budget"), form)
    assert done.status_code == 302
    c = Commitment.objects.get()
    assert (c.retainer_cents, c.commission_basis_points, c.vendor.name) == (
        15_000_00,
        750,
        "Smart Media LLC",
    )
    bad = client.post(reverse("money:budget"), {**form, "commitment-retainer": "12.345"})
    assert bad.status_code == 400
    assert "fraction of a cent" in bad.content.decode()
    worse = client.post(reverse("money:budget"), {**form, "commitment-commission_category": ""})
    assert worse.status_code == 422
    assert Commitment.objects.count() == 1


def test_an_import_through_the_page_lists_the_refused_lines(
    campaign: Campaign, treasurer: Any, client_for: Any
) -> None:
    client = client_for(treasurer)
    data = (HEADER + GOOD + "SB17,B-9,ORG,X,,,,,,,,10,No date,004,,\n").encode()
    upload = io.BytesIO(data)
    upload.name = "schedule-b.csv"
    page = client.post(
        reverse("money:budget"),
        {"action": "import", "import-org_unit": campaign.nc.pk, "import-file": upload},
    )
    assert page.status_code == 400
    assert "Line 5 (expenditure_date)" in page.content.decode()
    assert Disbursement.objects.count() == 3
    # The download reads back through the import: nothing new.
    exported = b"".join(client.get(reverse("money:disbursements_csv")).streaming_content)
    rows = list(csv.DictReader(io.StringIO(exported.decode())))
    assert {r["transaction_id"] for r in rows} == {"B-1", "B-2", "B-3"}
    upload = io.BytesIO(exported)
    upload.name = "again.csv"
    again = client.post(
        reverse("money:budget"),
        {"action": "import", "import-org_unit": campaign.nc.pk, "import-file": upload},
    )
    assert again.status_code == 200
    assert "0 disbursements imported, 3 already there" in again.content.decode()


def test_the_cashflow_page_shows_cash_and_takes_the_treasurers_floor(
    spent: None, campaign: Campaign, treasurer: Any, client_for: Any, organizer_client: Any
) -> None:
    page = organizer_client.get(reverse("money:cashflow"))
    assert page.status_code == 200
    assert "-$300,000.00" in page.content.decode()  # paid out, nothing received
    assert 'value="settings"' not in page.content.decode()
    client = client_for(treasurer)
    saved = client.post(
        reverse("money:cashflow"),
        {
            "action": "settings",
            "settings-floor": "50,000",
            "settings-horizon_days": "45",
            "settings-election_day": "2026-11-03",
            "settings-treasurer": "tess",
        },
    )
    assert saved.status_code == 302
    assert spending.cash_settings_get().floor_cents == 50_000_00
    bad = client.post(
        reverse("money:cashflow"),
        {
            "action": "settings",
            "settings-floor": "1",
            "settings-horizon_days": "45",
            "settings-treasurer": "nobody-here",
        },
    )
    assert bad.status_code == 422
    assert "nobody-here" in bad.content.decode()
    forecast_csv = b"".join(client.get(reverse("money:cashflow_csv")).streaming_content)
    assert forecast_csv.startswith(b"day,cash_low,cash_median,cash_high")
