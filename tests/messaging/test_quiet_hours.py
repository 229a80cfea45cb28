"""Quiet hours for texts: a text reaches the provider only inside its recipient's sending
hours (8:00-21:00 in their own zone, 20:00 where state law ends sooner); outside them it
waits in the outbox, the mailing page says how many wait and when they go, and the sender
picks them up when the window opens. The clock is the sender's, set by the test."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import itertools
import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.consent import services as consent
from groundgame.messaging import compose, sender
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Mailing, Send
from groundgame.messaging.throttle import TokenBucket
from groundgame.people import services as people
from groundgame.people.models import Household
from tests.loopback import LoopbackSms

UTC = dt.UTC
# A Monday in summer (daylight saving time): New York is UTC-4, Chicago -5, Los Angeles -7,
# Honolulu -10 all year. Years ahead, so that what waits is still ahead of the real clock
# the mailing page reads.
DAY = dt.date(2030, 7, 1)

# (state, ZIP, phone) of a recipient in each zone.
NEW_YORK = ("NY", "10001", "+12125550101")
CHICAGO = ("IL", "60601", "+13125550102")
LOS_ANGELES = ("CA", "90012", "+12135550103")
HONOLULU = ("HI", "96813", "+18085550104")
MIAMI = ("FL", "33130", "+13055550105")


def _at(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=UTC)


_streets = itertools.count(1)


def _texter(first_name: str, state: str, zip5: str, phone: str) -> Any:
    household = (
        Household.objects.create(street=f"{next(_streets)} Main St", state=state, zip5=zip5)
        if state or zip5
        else None
    )
    person = people.person_create(
        actor=None, first_name=first_name, last_name="Test", phone=phone, household=household
    )
    consent.subscription_join(
        person_id=person.pk, channel="sms", topic_keys=["volunteering"], source="signup"
    )
    return person


class _Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _backends(clock: _Clock) -> sender.Backends:
    return dataclasses.replace(messaging.default_backends(), clock=clock)


@pytest.mark.django_db(transaction=True)
def test_texts_wait_for_each_recipients_hours_across_time_zones(
    sms: LoopbackSms,
    send_mailing: Callable[..., sender.Tally],
    make_staff: Callable[..., Any],
    client_for: Callable[[Any], Client],
    campaign: Any,
) -> None:
    for name, place in [
        ("Nora", NEW_YORK),
        ("Carl", CHICAGO),
        ("Lena", LOS_ANGELES),
        ("Hana", HONOLULU),
        ("Fern", MIAMI),
    ]:
        _texter(name, *place)

    # 13:00 UTC: 9:00 in New York and Miami, 8:00 in Chicago; 6:00 in Los Angeles and 3:00
    # in Honolulu, who wait for their 8:00.
    clock = _Clock(_at(13))
    tally = send_mailing("sms", "volunteering", "Hi {{ first_name }}", use=_backends(clock))
    assert (tally.sent, tally.waiting) == (3, 2)
    mailing = Mailing.objects.get()
    assert {m.to for m in sms.messages} == {NEW_YORK[2], CHICAGO[2], MIAMI[2]}
    waiting = dict(
        Send.objects.filter(status=Send.Status.QUEUED).values_list("address", "not_before")
    )
    assert waiting == {LOS_ANGELES[2]: _at(15), HONOLULU[2]: _at(18)}
    assert messaging.outbox_next_opening(channel="sms") == _at(15)

    # The mailing page says how many wait, and when they go (in the campaign's zone).
    organizer = make_staff("olivia", role="organizer", unit=campaign.national)
    page = client_for(organizer).get(reverse("messaging:mailing", args=[mailing.pk]))
    text = " ".join(html.unescape(page.content.decode()).split())
    assert "<strong>2</strong> texts wait for their recipients' sending hours" in text
    assert ">Mon 1 Jul, 11:00 EDT</time>, the rest by <time" in text
    assert ">Mon 1 Jul, 14:00 EDT</time>." in text

    # Before the window opens a sender run sends nothing, and does not spin on them.
    clock.now = _at(14, 59)
    assert messaging.sends_deliver(channel="sms", use=_backends(clock)).sent == 0
    # At Los Angeles' 8:00 theirs goes; Honolulu's at theirs.
    clock.now = _at(15)
    assert messaging.sends_deliver(channel="sms", use=_backends(clock)).sent == 1
    assert sms.to(LOS_ANGELES[2])
    assert not sms.to(HONOLULU[2])
    clock.now = _at(18)
    assert messaging.sends_deliver(channel="sms", use=_backends(clock)).sent == 1
    assert sms.to(HONOLULU[2])
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT

    # Florida's law stops texts at 20:00: at 20:30 in Miami (and New York) the text to
    # Miami waits for 8:00 the next morning, while New York's (until 21:00) goes.
    clock.now = _at(0, 30, DAY + dt.timedelta(days=1))
    send_mailing("sms", "volunteering", "See you tomorrow, {{ first_name }}", use=_backends(clock))
    assert [m.body for m in sms.to(NEW_YORK[2])][-1] == "See you tomorrow, Nora"
    assert len(sms.to(MIAMI[2])) == 1
    miami = Send.objects.exclude(mailing=mailing).get(address=MIAMI[2])
    assert (miami.status, miami.not_before) == (
        Send.Status.QUEUED,
        _at(12, 0, DAY + dt.timedelta(days=1)),
    )


# The property: any send time, any zone -------------------------------------------------

# Recipients' places: a ZIP in every main zone (Phoenix keeps no daylight time, Pensacola is
# Florida's central-time corner, Hartford is Connecticut's 9:00-20:00), a state with no ZIP,
# and no address at all (the campaign's zone).
PLACES = [
    ("NY", "10001"),
    ("IL", "60601"),
    ("CO", "80202"),
    ("AZ", "85004"),
    ("CA", "90012"),
    ("AK", "99501"),
    ("HI", "96813"),
    ("FL", "33130"),
    ("FL", "32501"),
    ("OK", "73102"),
    ("WA", "98101"),
    ("CT", "06103"),
    ("TX", ""),
    ("", ""),
]
# The test's own reading of the law and the zones, apart from the code's.
ENDS_AT_EIGHT = {"FL", "OK", "WA", "MD", "CT"}
ZONES = {
    "10001": "America/New_York",
    "60601": "America/Chicago",
    "80202": "America/Denver",
    "85004": "America/Phoenix",
    "90012": "America/Los_Angeles",
    "99501": "America/Anchorage",
    "96813": "Pacific/Honolulu",
    "33130": "America/New_York",
    "32501": "America/Chicago",
    "73102": "America/Chicago",
    "98101": "America/Los_Angeles",
    "06103": "America/New_York",
    "": "America/Chicago",  # Texas: most of it
}


def _window(state: str) -> tuple[dt.time, dt.time]:
    opens = dt.time(9) if state == "CT" else dt.time(8)
    return opens, dt.time(20) if state in ENDS_AT_EIGHT else dt.time(21)


def _local(at: dt.datetime, state: str, zip5: str) -> dt.datetime:
    zone = ZONES[zip5] if state else "America/New_York"
    return at.astimezone(zoneinfo.ZoneInfo(zone))


class _RecordingProvider:
    """Takes every text it is handed, with the sender's clock at that moment."""

    def __init__(self, clock: _Clock) -> None:
        self.clock = clock
        self.handed: list[tuple[str, dt.datetime]] = []

    def send(self, message: compose.OutgoingText, *, status_callback: str) -> str:
        self.handed.append((message.to, self.clock()))
        return f"SM{len(self.handed)}"


_phones = itertools.count(1)
# Each number's place: a run of the sender may hand over what earlier examples left waiting.
_place_of: dict[str, tuple[str, str]] = {}


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    place=st.sampled_from(PLACES),
    at=st.datetimes(
        min_value=dt.datetime(2029, 1, 1),
        max_value=dt.datetime(2031, 12, 31),
        timezones=st.just(UTC),
    ),
)
def test_no_text_reaches_the_provider_outside_its_recipients_window(
    place: tuple[str, str], at: dt.datetime
) -> None:
    state, zip5 = place
    phone = f"+1919555{next(_phones):04d}"
    person = _texter("Pat", state, zip5, phone)
    messaging.message_send(
        person_id=person.pk,
        channel="sms",
        topic_key="volunteering",
        body="A shift opened near you.",
        dedupe_key=f"shift:{phone}",
    )
    _place_of[phone] = place
    clock = _Clock(at)
    provider = _RecordingProvider(clock)
    use = dataclasses.replace(
        messaging.default_backends(),
        text=provider,
        text_rate=TokenBucket(per_second=1000),
        clock=clock,
    )
    messaging.sends_deliver(channel="sms", use=use)

    for to, handed_at in provider.handed:
        opens, closes = _window(_place_of[to][0])
        local = _local(handed_at, *_place_of[to])
        assert opens <= local.time() < closes, (_place_of[to], handed_at, local)
    opens, closes = _window(state)
    send = Send.objects.get(dedupe_key=f"shift:{phone}")
    local = _local(at, state, zip5)
    if opens <= local.time() < closes:
        assert send.status == Send.Status.SENT
    else:
        assert send.status == Send.Status.QUEUED
        assert send.not_before is not None
        # It waits for the very next opening, not a moment longer.
        opening = _local(send.not_before, state, zip5)
        assert opening.time() == opens
        assert send.not_before > at
        assert send.not_before - at <= dt.timedelta(hours=24)
        # Sent at that moment, it goes.
        clock.now = send.not_before
        messaging.sends_deliver(channel="sms", use=use)
        assert Send.objects.get(pk=send.pk).status == Send.Status.SENT
        [handed_at] = [when for to, when in provider.handed if to == phone]
        assert _local(handed_at, state, zip5).time() == opens
