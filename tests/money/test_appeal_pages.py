"""The appeals and FEC pages: returns any staff member may read, forms for finance, a report
built, checked and downloaded by national finance only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import fecfile
import pytest
from django.urls import reverse

from groundgame.money.models import Appeal, AppealReturn
from groundgame.money.services import appeals
from tests.conftest import Campaign
from tests.helpers import assert_api_error
from tests.money.fec.test_report import quarter  # noqa: F401  (a fixture)
from tests.money.ledger import gift

pytestmark = pytest.mark.django_db


def test_the_appeals_page_shows_returns_and_takes_a_new_appeal(
    campaign: Campaign, treasurer: Any, make_staff: Any, client_for: Any
) -> None:
    appeal = appeals.appeal_create(
        actor=treasurer,
        name="Debate night",
        channel="ads",
        refcode="debate",
        org_unit_id=campaign.national.pk,
        starts_on=dt.date(2026, 9, 1),
    )
    gift(person_id=campaign.alice.pk, cents=80_00, day=dt.date(2026, 9, 2), refcode="debate")
    appeals.appeal_returns_refresh()

    organizer = make_staff("ola", role="organizer", unit=campaign.durham)
    page = client_for(organizer).get(reverse("money:appeals"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Debate night" in body
    assert "$80.00" in body
    assert "Add an appeal" not in body

    client = client_for(treasurer)
    answer = client.post(
        reverse("money:appeals"),
        {
            "action": "appeal",
            "appeal-name": "Spring email",
            "appeal-channel": "email",
            "appeal-refcode": "debate",
            "appeal-org_unit": campaign.national.pk,
            "appeal-starts_on": "2026-09-03",
        },
    )
    assert answer.status_code == 422
    assert "Another appeal has this refcode." in answer.content.decode()
    answer = client.post(
        reverse("money:appeals"),
        {
            "action": "cost",
            "cost-appeal": appeal.pk,
            "cost-kind": "ad_spend",
            "cost-amount": "1,000.00",
            "cost-incurred_on": "2026-09-01",
        },
    )
    assert answer.status_code == 302
    appeals.appeal_returns_refresh()
    result = AppealReturn.objects.get(appeal=appeal)
    assert result.cost_cents == 1_000_00
    assert Appeal.objects.count() == 1


def test_national_finance_builds_and_downloads_the_fec_report(
    quarter: Any,  # noqa: F811
    treasurer: Any,
    durham_finance: Any,
    client_for: Any,
) -> None:
    form = {"report-committee": quarter.pk, "report-period": "2026Q3"}
    denied = client_for(durham_finance).post(reverse("money:fec"), {**form, "action": "build"})
    assert denied.status_code == 403

    client = client_for(treasurer)
    built = client.post(reverse("money:fec"), {**form, "action": "build"})
    assert built.status_code == 200
    assert "Every record passes the FEC" in built.content.decode()
    download = client.post(reverse("money:fec"), {**form, "action": "download"})
    assert download["Content-Disposition"] == 'attachment; filename="C00000042-2026Q3.fec"'
    read = fecfile.loads(download.content.decode("ascii"))
    assert read["filing"]["col_a_total_receipts"] == 510.0

    bad = client.post(reverse("money:fec"), {**form, "report-period": "Q9", "action": "build"})
    assert bad.status_code == 422
    assert "is not a quarter" in bad.content.decode()


def test_the_api_creates_appeals_enters_costs_and_lists_returns(
    campaign: Campaign, treasurer: Any, durham_finance: Any, client_for: Any
) -> None:
    client = client_for(treasurer)
    body = {
        "name": "Debate night",
        "channel": "ads",
        "refcode": "debate",
        "org_unit_id": campaign.national.pk,
        "starts_on": "2026-09-01",
    }
    made = client.post("/api/money/appeals", body, content_type="application/json")
    assert made.status_code == 201
    appeal_id = made.json()["id"]
    again = client.post("/api/money/appeals", body, content_type="application/json")
    assert_api_error(again, 422, "appeal_invalid", field="refcode")
    outside = client_for(durham_finance).post(
        f"/api/money/appeals/{appeal_id}/costs",
        {"kind": "ad_spend", "amount_cents": 100, "incurred_on": "2026-09-01"},
        content_type="application/json",
    )
    assert_api_error(outside, 403, "money_not_finance", field="org_unit")
    cost = client.post(
        f"/api/money/appeals/{appeal_id}/costs",
        {"kind": "ad_spend", "amount_cents": 500_00, "incurred_on": "2026-09-01"},
        content_type="application/json",
    )
    assert cost.status_code == 201
    gift(person_id=campaign.alice.pk, cents=80_00, day=dt.date(2026, 9, 2), refcode="debate")
    appeals.appeal_returns_refresh()
    (listed,) = client.get("/api/money/appeals").json()
    assert (listed["raised_cents"], listed["cost_cents"]) == (80_00, 500_00)
    assert listed["flagged"] is True
    assert listed["loss_probability"] > 0.9
