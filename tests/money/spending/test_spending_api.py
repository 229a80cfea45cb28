"""The spending API: the same rules as the pages, answered in the API's one error shape."""

from __future__ import annotations

from typing import Any

import pytest

from groundgame.money.models import Commitment, Disbursement, Vendor
from tests.conftest import Campaign
from tests.helpers import assert_api_error

pytestmark = pytest.mark.django_db


def _tv(campaign: Campaign, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "tv_reservation",
        "title": "Fall flight, Raleigh-Durham",
        "vendor": "WRAL",
        "category": "media_tv",
        "org_unit_id": campaign.nc.pk,
        "starts_on": "2026-09-01",
        "ends_on": "2026-10-27",
        "weekly_cents": 250_000_00,
        "cancellation_notice_days": 21,
        **changes,
    }


def test_finance_records_a_reservation_and_reads_it_back(
    campaign: Campaign, treasurer: Any, client_for: Any
) -> None:
    client = client_for(treasurer)
    made = client.post("/api/money/commitments", _tv(campaign), content_type="application/json")
    assert made.status_code == 201, made.json()
    assert made.json()["committed_cents"] == 9 * 250_000_00
    listed = client.get("/api/money/commitments").json()
    assert [c["title"] for c in listed] == ["Fall flight, Raleigh-Durham"]
    cancelled = client.post(
        f"/api/money/commitments/{made.json()['id']}/cancel",
        {"on": "2026-09-20"},
        content_type="application/json",
    )
    # Weeks starting before Oct 11 were past their 21 days' notice on Sep 20: 6 stay owed.
    assert cancelled.json()["committed_cents"] == 6 * 250_000_00
    summary = client.get("/api/money/spending").json()
    tv = next(c for c in summary["categories"] if c["category"] == "media_tv")
    assert tv["committed_cents"] == 6 * 250_000_00


def test_bad_input_names_its_field_and_leaves_nothing(
    campaign: Campaign, treasurer: Any, client_for: Any
) -> None:
    client = client_for(treasurer)
    bad = client.post(
        "/api/money/commitments",
        _tv(campaign, vendor="Nobody Media", ends_on="2026-08-01"),
        content_type="application/json",
    )
    assert_api_error(bad, 422, "commitment_invalid", "ends_on")
    assert not Vendor.objects.filter(name="Nobody Media").exists()
    paid = {
        "vendor": "WRAL",
        "paid_on": "2026-09-01",
        "amount_cents": 100,
        "category": "media_tv",
        "org_unit_id": campaign.nc.pk,
        "purpose": "Airtime",
        "transaction_id": "SB-1",
    }
    assert (
        client.post("/api/money/disbursements", paid, content_type="application/json").status_code
        == 201
    )
    again = client.post("/api/money/disbursements", paid, content_type="application/json")
    assert_api_error(again, 422, "disbursement_duplicate", "transaction_id")
    assert Disbursement.objects.count() == 1


def test_staff_without_finance_read_but_do_not_write(
    campaign: Campaign, organizer_client: Any
) -> None:
    refused = organizer_client.post(
        "/api/money/commitments", _tv(campaign), content_type="application/json"
    )
    assert_api_error(refused, 403, "money_not_finance")
    assert not Commitment.objects.exists()
    assert organizer_client.get("/api/money/cashflow").status_code == 200
    assert organizer_client.get("/api/money/spending").status_code == 200
