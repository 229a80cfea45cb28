"""The money pages and API, from inside and outside the finance role: totals for all staff,
donors and their gifts only for finance over them (national admins everywhere), every read
of a donor logged, and writes refused outside the scope."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from groundgame.audit.models import AuditEvent
from groundgame.money import services
from groundgame.money.models import Contribution, LimitExcess
from groundgame.people.models import Person
from tests.helpers import assert_api_error
from tests.money import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def gifts(campaign: Any) -> dict[str, Any]:
    """Two gifts: Alice's (Durham, in the Triangle) and Bob's (Guilford, in the Piedmont),
    Alice's past the limit."""
    committee = builders.committee()
    base = services.GiftSpec(
        line_item_id="1",
        order_number="AB1",
        committee_id=committee.pk,
        amount_cents=400000,
        paid_at=builders.PAID,
        first_name="Alice",
        last_name="Aardvark",
        email="alice@example.com",
        employer="Acme",
        occupation="Chemist",
        refcode="em-0722",
    )
    alice = services.line_item_record(actor=None, gift=base, source="webhook").contribution
    bob = services.line_item_record(
        actor=None,
        gift=dataclasses.replace(
            base,
            line_item_id="2",
            order_number="AB2",
            amount_cents=2500,
            first_name="Bob",
            last_name=campaign.bob.last_name,
            email=campaign.bob.email,
        ),
        source="webhook",
    ).contribution
    assert alice.person_id == campaign.alice.pk
    assert bob.person_id == campaign.bob.pk
    return {"committee": committee, "alice": alice, "bob": bob}


def test_an_organizer_sees_totals_but_no_donor(
    gifts: dict[str, Any], organizer_client: Any
) -> None:
    page = organizer_client.get("/money/")
    assert page.status_code == 200
    assert b"$4,025.00" in page.content
    assert b"Aardvark" not in page.content
    assert organizer_client.get(f"/money/contributions/{gifts['alice'].pk}/").status_code == 404
    assert organizer_client.get("/money/contributions.csv").status_code == 403
    person = organizer_client.get(f"/people/{gifts['alice'].person_id}/")
    assert b"donor-gifts" not in person.content
    assert_api_error(
        organizer_client.get(f"/api/money/donations/{gifts['alice'].pk}"),
        404,
        "contribution_not_found",
    )
    assert organizer_client.get("/api/money/donations").json() == []


def test_finance_sees_the_donors_of_their_units_only(
    gifts: dict[str, Any], campaign: Any, make_staff: Any, client_for: Any
) -> None:
    client = client_for(make_staff("tri-finance", role="finance", unit=campaign.triangle))
    page = client.get("/money/")
    assert b"Aardvark" in page.content
    assert campaign.bob.last_name.encode() not in page.content
    assert AuditEvent.objects.filter(action="money.contribution.list").exists()
    detail = client.get(f"/money/contributions/{gifts['alice'].pk}/")
    assert detail.status_code == 200
    assert AuditEvent.objects.filter(
        action="money.contribution.read", entity_id=str(gifts["alice"].pk)
    ).exists()
    assert client.get(f"/money/contributions/{gifts['bob'].pk}/").status_code == 404
    api = client.get("/api/money/donations").json()
    assert [d["line_item_id"] for d in api] == ["1"]
    exported = client.get("/money/contributions.csv").content.decode()
    assert "Aardvark" in exported
    assert campaign.bob.last_name not in exported


def test_the_donor_card_shows_on_the_person_page_for_finance_and_is_logged(
    gifts: dict[str, Any], campaign: Any, make_staff: Any, client_for: Any
) -> None:
    user = make_staff("durham-both", role="organizer", unit=campaign.durham)
    from groundgame.organizing import services as organizing

    organizing.staff_role_grant(actor=None, user=user, org_unit=campaign.durham, role="finance")
    page = client_for(user).get(f"/people/{campaign.alice.pk}/")
    assert b"donor-gifts" in page.content
    assert b"$4,000.00" in page.content
    assert AuditEvent.objects.filter(
        action="money.donor.read", entity_id=str(campaign.alice.pk)
    ).exists()


def test_the_limits_page_lists_and_resolves_in_scope(
    gifts: dict[str, Any], campaign: Any, make_staff: Any, client_for: Any
) -> None:
    excess = LimitExcess.objects.get()
    outsider = client_for(make_staff("pied-finance", role="finance", unit=campaign.piedmont))
    assert b"Aardvark" not in outsider.get("/money/limits/").content
    answer = outsider.post(f"/money/limits/{excess.pk}/resolve/", {"status": "refund"})
    assert answer.status_code == 404
    excess.refresh_from_db()
    assert excess.status == "open"
    finance = client_for(make_staff("tri-finance", role="finance", unit=campaign.triangle))
    assert b"Aardvark" in finance.get("/money/limits/").content
    finance.post(f"/money/limits/{excess.pk}/resolve/", {"status": "redesignated", "note": "to G"})
    excess.refresh_from_db()
    assert (excess.status, excess.note) == ("redesignated", "to G")


def test_a_gift_entered_through_the_api_needs_finance(
    gifts: dict[str, Any], campaign: Any, organizer_client: Any, make_staff: Any, client_for: Any
) -> None:
    body = {
        "line_item_id": "check-1",
        "committee_id": gifts["committee"].pk,
        "amount": "100.00",
        "paid_at": (builders.PAID + dt.timedelta(days=1)).isoformat(),
        "first_name": "Carol",
        "last_name": "Checkwriter",
    }
    assert_api_error(
        organizer_client.post("/api/money/donations", body, content_type="application/json"),
        403,
        "money_denied",
    )
    finance = client_for(make_staff("nat-finance", role="finance", unit=campaign.national))
    made = finance.post("/api/money/donations", body, content_type="application/json")
    assert made.status_code == 201
    assert made.json()["amount_cents"] == 10000
    again = finance.post("/api/money/donations", body, content_type="application/json")
    assert_api_error(again, 409, "contribution_conflict", "line_item_id")
    bad = finance.post(
        "/api/money/donations",
        {**body, "line_item_id": "x", "amount": "1.001"},
        content_type="application/json",
    )
    assert_api_error(bad, 422, "validation_failed", "amount")
    assert Contribution.objects.filter(line_item_id="x").count() == 0
    assert Person.objects.filter(last_name="Checkwriter").count() == 1


def test_a_bad_filter_is_named(gifts: dict[str, Any], organizer_client: Any) -> None:
    page = organizer_client.get("/money/?since=yesterday")
    assert page.status_code == 422
    assert b"since" in page.content
