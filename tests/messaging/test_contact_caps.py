"""A mailing's fan-out follows the contact caps per person and per household: a household
with room for one more message gets one, the rest are counted on the mailing's page as over
the caps, and a cancelled mailing's unsent messages stop counting."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from groundgame.consent import services as consent
from groundgame.consent.models import Contact
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Mailing, Send
from groundgame.people import services as people
from groundgame.people.models import Household

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(campaign: Any) -> list[Any]:
    """Three subscribers at one address and one living alone."""
    home = Household.objects.create(street="12 Elm St", city="Durham", state="NC", zip5="27701")
    alone = Household.objects.create(street="9 Oak St", city="Durham", state="NC", zip5="27701")
    residents = [
        people.person_create(
            actor=None,
            first_name=name,
            last_name="Lopez" if house is home else "Baker",
            email=f"{name.lower()}@example.org",
            household=house,
            org_unit_id=campaign.durham.pk,
        )
        for name, house in (("Maya", home), ("Luis", home), ("Ana", home), ("Jo", alone))
    ]
    for person in residents:
        consent.subscription_join(
            person_id=person.pk, channel="email", topic_keys=["volunteering"], source="test"
        )
    return residents


def _mail(name: str) -> Mailing:
    universe = people.universe_save(actor=None, name=f"Everyone {name}", filters={})
    mailing = messaging.mailing_create(
        actor=None,
        name=name,
        channel="email",
        topic_key="volunteering",
        universe_id=universe.pk,
        subject="Knock doors with us",
        body="Hi {{ first_name }}, join us Saturday.",
    )
    messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
    messaging.mailing_fan_out(mailing_id=mailing.pk)
    mailing.refresh_from_db()
    return mailing


def _recipients(mailing: Mailing) -> set[int]:
    return set(Send.objects.filter(mailing=mailing).values_list("person_id", flat=True))


def test_a_household_gets_no_more_than_its_cap(
    family: list[Any], client_for: Any, make_staff: Any, campaign: Any
) -> None:
    maya, luis, _ana, jo = family
    consent.contact_cap_set(
        actor=None, channel="email", per_person=5, per_household=2, window_hours=24
    )
    first = _mail("Saturday")
    assert _recipients(first) == {maya.pk, luis.pk, jo.pk}
    assert (first.queued_count, first.capped_count) == (3, 1)
    second = _mail("Sunday")
    assert _recipients(second) == {jo.pk}
    assert (second.queued_count, second.capped_count) == (1, 3)
    assert Contact.objects.filter(channel="email", household=maya.household).count() == 2

    staff = client_for(make_staff("olivia", role="organizer", unit=campaign.national))
    page = staff.get(reverse("messaging:mailing", args=[second.pk])).content.decode()
    assert "Over the contact caps" in page


def test_a_cancelled_mailing_stops_counting_against_the_caps(family: list[Any]) -> None:
    consent.contact_cap_set(
        actor=None, channel="email", per_person=1, per_household=None, window_hours=24
    )
    first = _mail("Saturday")
    assert len(_recipients(first)) == 4
    messaging.mailing_cancel(actor=None, mailing_id=first.pk)
    assert not Contact.objects.filter(channel="email").exists()
    again = _mail("Saturday, again")
    assert _recipients(again) == {p.pk for p in family}


def test_the_person_cap_holds_across_mailings(family: list[Any], client: Client) -> None:
    consent.contact_cap_set(
        actor=None, channel="email", per_person=1, per_household=None, window_hours=24
    )
    assert len(_recipients(_mail("Saturday"))) == 4
    later = _mail("Sunday")
    assert _recipients(later) == set()
    assert later.capped_count == 4
