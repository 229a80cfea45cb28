"""The ledger through its services: a line item counted once, refunds amending it, one
person per donor, the contribution limit, the best-efforts request and the volunteer ask."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from groundgame.audit.models import AuditEvent
from groundgame.core.errors import ApplicationError
from groundgame.messaging.models import Send
from groundgame.money import selectors, services
from groundgame.money.models import (
    Adjustment,
    BestEffortsRequest,
    Contribution,
    LimitExcess,
    VolunteerAsk,
)
from groundgame.people.models import ExternalId, Person
from tests.money import builders

pytestmark = pytest.mark.django_db


def gift(committee: Any, line_item: str, cents: int, **changes: Any) -> services.GiftSpec:
    base = services.GiftSpec(
        line_item_id=line_item,
        order_number=f"AB{line_item}",
        committee_id=committee.pk,
        amount_cents=cents,
        paid_at=builders.PAID,
        first_name="Maya",
        last_name="Donorson",
        email="maya@example.org",
        zip_code="27701",
        employer="Acme Co",
        occupation="Engineer",
        refcode="em-0722",
    )
    return dataclasses.replace(base, **changes)


@pytest.fixture
def committee(db: None) -> Any:
    return builders.committee()


def test_a_line_item_is_counted_once(committee: Any) -> None:
    first = services.line_item_record(actor=None, gift=gift(committee, "1", 2500), source="webhook")
    again = services.line_item_record(actor=None, gift=gift(committee, "1", 2500), source="csv")
    assert first.created
    assert not again.created
    assert Contribution.objects.count() == 1
    assert again.contribution.source == "webhook"
    assert selectors.receipts_totals(committee_id=committee.pk).gross_cents == 2500


def test_a_known_donor_is_not_made_twice(committee: Any) -> None:
    services.line_item_record(actor=None, gift=gift(committee, "1", 2500), source="webhook")
    services.line_item_record(
        actor=None, gift=gift(committee, "2", 1000, order_number="AB9"), source="webhook"
    )
    assert Person.objects.filter(email="maya@example.org").count() == 1
    assert len(set(Contribution.objects.values_list("person_id", flat=True))) == 1


def test_the_csv_donor_id_lands_in_the_crosswalk(committee: Any) -> None:
    services.line_item_record(actor=None, gift=gift(committee, "1", 2500), source="webhook")
    services.line_item_record(
        actor=None, gift=gift(committee, "1", 2500, donor_external_id="D77"), source="csv"
    )
    person = Contribution.objects.get().person
    assert ExternalId.objects.filter(person=person, system="actblue", external_id="D77").exists()


def test_a_refund_amends_the_gift_and_counts_once(committee: Any) -> None:
    at = builders.PAID + dt.timedelta(days=2)
    refund = services.AdjustmentSpec(
        kind="refund", external_id="refund:1", amount_cents=2500, at=at
    )
    services.line_item_record(actor=None, gift=gift(committee, "1", 2500), source="webhook")
    for _ in range(2):
        services.line_item_record(
            actor=None, gift=gift(committee, "1", 2500), source="webhook", adjustment=refund
        )
    assert Adjustment.objects.count() == 1
    totals = selectors.receipts_totals(committee_id=committee.pk)
    assert (totals.gross_cents, totals.refunded_cents, totals.net_cents) == (2500, 2500, 0)
    assert selectors.refcode_totals()["em-0722"].net_cents == 0


def test_a_refund_before_its_gift_records_both(committee: Any) -> None:
    refund = services.AdjustmentSpec(
        kind="chargeback", external_id="chargeback:1", amount_cents=2500, at=builders.PAID
    )
    services.line_item_record(
        actor=None, gift=gift(committee, "1", 2500), source="webhook", adjustment=refund
    )
    later = services.line_item_record(actor=None, gift=gift(committee, "1", 2500), source="csv")
    assert not later.created
    assert Contribution.objects.count() == 1
    assert selectors.receipts_totals().chargeback_cents == 2500


def test_no_more_can_be_taken_back_than_was_given(committee: Any) -> None:
    services.line_item_record(actor=None, gift=gift(committee, "1", 2500), source="webhook")
    too_much = services.AdjustmentSpec(
        kind="refund", external_id="refund:x", amount_cents=2600, at=builders.PAID
    )
    with pytest.raises(ApplicationError) as caught:
        services.line_item_record(
            actor=None, gift=gift(committee, "1", 2500), source="csv", adjustment=too_much
        )
    assert (caught.value.code, caught.value.field) == ("adjustment_invalid", "amount")
    assert not Adjustment.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount_cents": 0}, "amount"),
        ({"line_item_id": " "}, "line_item_id"),
        ({"paid_at": dt.datetime(2024, 7, 1, 12)}, "paid_at"),
        ({"recurring_period": "daily"}, "recurring_period"),
        ({"first_name": ""}, "first_name"),
    ],
)
def test_a_bad_gift_names_its_field_and_writes_nothing(
    committee: Any, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        services.line_item_record(
            actor=None, gift=gift(committee, "1", 2500, **changes), source="webhook"
        )
    assert caught.value.field == field
    assert not Contribution.objects.exists()
    assert not Person.objects.exists()


def test_a_gift_after_the_last_election_is_refused(committee: Any) -> None:
    late = builders.PAID.replace(year=2025)
    with pytest.raises(ApplicationError) as caught:
        services.line_item_record(
            actor=None, gift=gift(committee, "1", 2500, paid_at=late), source="webhook"
        )
    assert caught.value.code == "election_not_found"


def test_gifts_count_toward_the_election_they_precede(committee: Any) -> None:
    early = builders.PAID.replace(month=2)
    services.line_item_record(
        actor=None, gift=gift(committee, "1", 2500, paid_at=early), source="webhook"
    )
    services.line_item_record(actor=None, gift=gift(committee, "2", 2500), source="webhook")
    codes = sorted(c.election.code for c in Contribution.objects.select_related("election"))
    assert codes == ["G2024", "P2024"]


def test_an_excess_is_flagged_at_entry_and_cleared_by_a_refund(committee: Any) -> None:
    services.line_item_record(actor=None, gift=gift(committee, "1", 300000), source="webhook")
    assert not LimitExcess.objects.exists()
    services.line_item_record(actor=None, gift=gift(committee, "2", 50000), source="webhook")
    excess = LimitExcess.objects.get()
    assert (excess.excess_cents, excess.status) == (20000, "open")
    refund = services.AdjustmentSpec(
        kind="refund", external_id="refund:2", amount_cents=50000, at=builders.PAID
    )
    services.line_item_record(
        actor=None, gift=gift(committee, "2", 50000), source="webhook", adjustment=refund
    )
    assert not LimitExcess.objects.exists()
    assert AuditEvent.objects.filter(action="limit_excess.clear").count() == 1


def test_an_excess_is_resolved_by_finance_in_scope_only(
    committee: Any, campaign: Any, make_staff: Any
) -> None:
    from groundgame.organizing import selectors as organizing

    services.line_item_record(actor=None, gift=gift(committee, "1", 400000), source="webhook")
    excess = LimitExcess.objects.get()
    Person.objects.filter(pk=excess.person_id).update(org_unit=campaign.durham)
    outsider = make_staff("guilford-finance", role="finance", unit=campaign.guilford)
    organizer = make_staff("durham-organizer", role="organizer", unit=campaign.durham)
    for user in (outsider, organizer):
        with pytest.raises(ApplicationError) as caught:
            services.limit_excess_resolve(
                actor=user,
                scope=organizing.staff_scope(user),
                excess_id=excess.pk,
                status="refund",
            )
        assert caught.value.code == "limit_excess_not_found"
    finance = make_staff("triangle-finance", role="finance", unit=campaign.triangle)
    services.limit_excess_resolve(
        actor=finance, scope=organizing.staff_scope(finance), excess_id=excess.pk, status="refund"
    )
    excess.refresh_from_db()
    assert excess.status == "refund"
    assert AuditEvent.objects.filter(action="limit_excess.resolve").count() == 1


def test_best_efforts_is_queued_over_200_without_employer(committee: Any) -> None:
    no_job = {"employer": "", "occupation": ""}
    services.line_item_record(
        actor=None, gift=gift(committee, "1", 15000, **no_job), source="webhook"
    )
    assert not BestEffortsRequest.objects.exists()
    services.line_item_record(
        actor=None, gift=gift(committee, "2", 10000, **no_job), source="webhook"
    )
    request = BestEffortsRequest.objects.get()
    services.best_efforts_send(request_id=request.pk)
    send = Send.objects.get(dedupe_key=f"best_efforts:{request.pk}")
    assert "employer and occupation" in send.content["body"]


def test_a_donor_who_gave_their_employer_is_not_asked(committee: Any) -> None:
    services.line_item_record(actor=None, gift=gift(committee, "1", 50000), source="webhook")
    assert not BestEffortsRequest.objects.exists()


def test_a_new_donor_is_asked_to_volunteer_with_a_prefilled_link(committee: Any) -> None:
    recorded = services.line_item_record(
        actor=None, gift=gift(committee, "1", 2500), source="webhook"
    )
    services.line_item_record(
        actor=None, gift=gift(committee, "2", 2500, order_number="AB2"), source="webhook"
    )
    ask = VolunteerAsk.objects.get()
    assert ask.contribution_id == recorded.contribution.pk
    services.volunteer_ask_send(ask_id=ask.pk)
    send = Send.objects.get(dedupe_key=f"volunteer_ask:{ask.pk}")
    assert send.topic.key == "volunteering"
    assert "/thanks/donation/?t=" in send.content["body"]


def test_a_volunteer_is_not_asked(committee: Any, campaign: Any) -> None:
    from groundgame.volunteers import services as volunteers

    volunteers.membership_bulk_create(
        actor=None,
        memberships=[(campaign.alice.pk, campaign.durham.pk, "volunteer")],
        source="test",
    )
    services.line_item_record(
        actor=None,
        gift=gift(
            committee,
            "1",
            2500,
            first_name="Alice",
            last_name="Aardvark",
            email="alice@example.com",
        ),
        source="webhook",
    )
    assert Contribution.objects.get().person_id == campaign.alice.pk
    assert not VolunteerAsk.objects.exists()


def test_committees_and_elections_are_national_admins_only(campaign: Any, make_staff: Any) -> None:
    director = make_staff("nc-director", role="director", unit=campaign.nc)
    with pytest.raises(ApplicationError) as caught:
        services.committee_create(actor=director, name="X", fec_id="C00000001", kind="house")
    assert caught.value.code == "money_denied"
    with pytest.raises(ApplicationError):
        services.election_create(
            actor=director, cycle=2024, kind="general", day=dt.date(2024, 11, 5)
        )
    admin = make_staff("nat-admin", role="admin", unit=campaign.national)
    services.committee_create(actor=admin, name="X", fec_id="C00000001", kind="house")


def test_selectors_sum_by_day_refcode_and_donor(committee: Any) -> None:
    services.line_item_record(actor=None, gift=gift(committee, "1", 2500), source="webhook")
    services.line_item_record(
        actor=None,
        gift=gift(
            committee, "2", 1000, paid_at=builders.PAID + dt.timedelta(days=1), refcode="sms"
        ),
        source="webhook",
    )
    days = selectors.donations_by_day(committee_id=committee.pk)
    assert [(d.gifts, d.gross_cents) for d in days] == [(1, 2500), (1, 1000)]
    assert {k: v.gross_cents for k, v in selectors.refcode_totals().items()} == {
        "em-0722": 2500,
        "sms": 1000,
    }
    person = Contribution.objects.first().person_id  # type: ignore[union-attr]
    giving = selectors.donor_giving(person_ids=[person])[person]
    assert (giving.gifts, giving.net_cents) == (2, 3500)
    lines = list(
        selectors.contributions_for_report(
            committee_id=committee.pk,
            start=builders.PAID - dt.timedelta(days=1),
            end=builders.PAID + dt.timedelta(days=5),
        )
    )
    assert [line.cycle_aggregate_cents for line in lines] == [2500, 3500]
