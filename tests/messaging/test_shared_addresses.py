"""People who share an address (a couple's one email, a family's landline) get a mailing once
there: the fan-out queues one send per address, to the first of them, and counts the others
as having shared it, which the mailing page shows."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from groundgame.consent import services as consent
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Mailing, Send
from groundgame.people import services as people

EMAILS = ("home@example.org", "work@example.org", "pat@example.net")
PHONES = ("+19195550110", "+19195550111", "+19195550112")

# Each person: an email and a phone from small pools (so that they overlap), and whether
# they subscribed to email and to texts.
someone = st.tuples(st.sampled_from(EMAILS), st.sampled_from(PHONES), st.booleans(), st.booleans())


def _mailing(channel: str) -> Mailing:
    universe = people.universe_save(actor=None, name="Everyone", filters={})
    mailing = messaging.mailing_create(
        actor=None,
        name=f"Rally by {channel}",
        channel=channel,
        topic_key="events",
        universe_id=universe.pk,
        subject="Rally on Friday" if channel == "email" else "",
        body="{{ first_name }}, see you Friday?",
    )
    messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
    return mailing


def _person(n: int, email: str, phone: str, joins: dict[str, bool]) -> int:
    person = people.person_create(
        actor=None, first_name=f"Sam{n}", last_name="Sharer", email=email, phone=phone
    )
    for channel, joined in joins.items():
        if joined:
            consent.subscription_join(
                person_id=person.pk, channel=channel, topic_keys=["events"], source="test"
            )
    return int(person.pk)


class OneSendPerAddress(TestCase):
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(someone, min_size=1, max_size=7), st.sampled_from(("email", "sms")))
    def test_each_address_gets_at_most_one_send_per_mailing(
        self, crowd: list[tuple[str, str, bool, bool]], channel: str
    ) -> None:
        for ch in ("email", "sms"):
            consent.contact_cap_set(
                actor=None, channel=ch, per_person=100, per_household=None, window_hours=1
            )
        address_of: dict[int, str] = {}
        for n, (email, phone, by_email, by_text) in enumerate(crowd):
            pk = _person(n, email, phone, {"email": by_email, "sms": by_text})
            if by_email if channel == "email" else by_text:
                address_of[pk] = email if channel == "email" else phone
        mailing = _mailing(channel)
        result = messaging.mailing_fan_out(mailing_id=mailing.pk)
        assert result is not None
        sends = list(Send.objects.filter(mailing=mailing).values_list("address", "person_id"))
        per_address = Counter(address for address, _ in sends)
        assert all(n == 1 for n in per_address.values()), sends
        # Every subscribed address is reached, through the first of the people sharing it.
        assert set(per_address) == set(address_of.values())
        for address, person_id in sends:
            assert person_id == min(pk for pk, a in address_of.items() if a == address)
        assert (result.queued, result.shared) == (len(sends), len(address_of) - len(sends))
        assert result.capped == 0
        # Scheduled again (a task delivered twice): no address gets a second message.
        Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SCHEDULED)
        again = messaging.mailing_fan_out(mailing_id=mailing.pk)
        assert again is not None
        assert Send.objects.filter(mailing=mailing).count() == len(sends)
        assert again.shared == result.shared


@pytest.mark.django_db
def test_the_mailing_page_counts_those_who_shared_an_address(
    campaign: Any, make_staff: Any, client_for: Any
) -> None:
    staff = client_for(make_staff("nadia", role="admin", unit=campaign.national))
    consent.contact_cap_set(
        actor=None, channel="email", per_person=100, per_household=None, window_hours=1
    )
    for n, email in enumerate(("home@example.org", "home@example.org", "pat@example.net")):
        _person(n, email, "", {"email": True})
    mailing = _mailing("email")
    messaging.mailing_fan_out(mailing_id=mailing.pk)
    assert sorted(Send.objects.values_list("address", flat=True)) == [
        "home@example.org",
        "pat@example.net",
    ]
    page = staff.get(reverse("messaging:mailing", args=[mailing.pk])).content.decode()
    shared = page[page.index("kpi-shared") :]
    assert "Shared an address" in shared
    assert '<span class="kpi-value">1</span>' in shared[:300]
    assert "who got the one email sent there" in shared
