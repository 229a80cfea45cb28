"""Appeals and their return: a fundraising email whose gifts carry its refcode, priced per
message, with its list rental and the future giving of the donor its unsubscribe cut off;
the loser is flagged while it runs, with the probability; only finance in the appeal's unit
writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from freezegun import freeze_time

from groundgame.consent import services as consent
from groundgame.core.errors import PermissionDenied, ValidationFailed
from groundgame.messaging import services as messaging
from groundgame.money import appeal_returns, appeal_stats, errors
from groundgame.money.models import Appeal, AppealReturn
from groundgame.money.services import appeals
from groundgame.people import services as people
from tests.conftest import Campaign
from tests.money.ledger import gift

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def at(days_ago: float) -> Any:
    return freeze_time(NOW - dt.timedelta(days=days_ago))


def _subscriber(first: str) -> int:
    found = people.person_find_or_create(
        actor=None,
        source="test",
        first_name=first,
        last_name="Giver",
        email=f"{first.lower()}@example.com",
        street="1500 Market St",
        state="PA",
        zip5="19103",
    )
    consent.subscription_join(
        person_id=found.person.pk,
        channel="email",
        topic_keys=["fundraising"],
        source="signup_form",
    )
    return int(found.person.pk)


@pytest.fixture
def sent(settings: Any, campaign: Campaign) -> dict[str, int]:
    """Four subscribers got the spring email ten days ago; Pat, a steady donor, left through
    its one-click link the next day; Paula and Pete gave through its refcode."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with at(200):
        ids = {name: _subscriber(name) for name in ("Pat", "Paula", "Pete", "Quinn")}
        gift(person_id=ids["Pat"], cents=240_00, day=(NOW - dt.timedelta(days=200)).date())
    with at(10):
        universe = people.universe_save(actor=None, name="Everyone", filters={})
        mailing = messaging.mailing_create(
            actor=None,
            name="Spring appeal",
            channel="email",
            topic_key="fundraising",
            universe_id=universe.pk,
            subject="Chip in",
            body="Hi {{ first_name }}",
        )
        messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
        messaging.mailing_fan_out(mailing_id=mailing.pk)
        assert messaging.sends_deliver(channel="email").sent == 4
    with at(9):
        consent.subscription_leave(
            person_id=ids["Pat"], channel="email", topic_keys=["fundraising"], source="one_click"
        )
        day = (NOW - dt.timedelta(days=9)).date()
        gift(person_id=ids["Paula"], cents=20_00, day=day, refcode="spring")
        gift(person_id=ids["Pete"], cents=30_00, day=day, refcode="spring")
    return {**ids, "mailing": mailing.pk}


def _spring(actor: Any, campaign: Campaign, mailing_id: int) -> Any:
    return appeals.appeal_create(
        actor=actor,
        name="Spring appeal",
        channel="email",
        refcode="spring",
        org_unit_id=campaign.national.pk,
        starts_on=(NOW - dt.timedelta(days=10)).date(),
        mailing_id=mailing_id,
        provider="Postmark",
    )


def test_an_email_that_loses_its_donors_is_flagged_with_the_probability(
    sent: dict[str, int], campaign: Campaign, treasurer: Any
) -> None:
    with freeze_time(NOW):
        appeals.send_cost_set(
            actor=treasurer, channel="email", provider="Postmark", cents_per_thousand=1_250_00
        )
        spring = _spring(treasurer, campaign, sent["mailing"])
        appeals.appeal_cost_add(
            actor=treasurer,
            appeal_id=spring.pk,
            kind="list_rental",
            amount_cents=40_00,
            incurred_on=NOW.date(),
        )
        ads = appeals.appeal_create(
            actor=treasurer,
            name="Search ads",
            channel="ads",
            refcode="search",
            org_unit_id=campaign.national.pk,
            starts_on=NOW.date(),
        )
        appeals.appeal_cost_add(
            actor=treasurer,
            appeal_id=ads.pk,
            kind="ad_spend",
            amount_cents=100_00,
            incurred_on=NOW.date(),
        )
        searchers = [sent[n] for n in ("Quinn", "Paula", "Pete")]
        searchers += [campaign.alice.pk, campaign.bob.pk, campaign.nobody.pk]
        for n in range(30):
            gift(person_id=searchers[n % 6], cents=25_00 + n, day=NOW.date(), refcode="search")
        assert appeals.appeal_returns_refresh() == 2

    loser = AppealReturn.objects.get(appeal=spring)
    assert (loser.raised_cents, loser.donors, loser.gifts) == (50_00, 2, 2)
    # Four messages at $1,250 a thousand, and the list rental.
    assert (loser.messages, loser.cost_cents) == (4, 5_00 + 40_00)
    # Pat gave $240 in the past year; with no election day set, a year of it is lost.
    assert (loser.unsubscribes, loser.churn_cents) == (1, 240_00)
    assert loser.flagged
    assert loser.loss_probability > 0.75
    assert loser.roi_mid is not None
    assert loser.roi_mid < 0

    winner = AppealReturn.objects.get(appeal=ads)
    assert winner.raised_cents == sum(25_00 + n for n in range(30))
    assert (winner.donors, winner.cost_cents, winner.unsubscribes) == (6, 100_00, 0)
    assert not winner.flagged

    by_channel = {c.channel: c for c in appeal_returns.channel_returns([loser, winner])}
    assert by_channel["email"].net_cents == 50_00 - 45_00 - 240_00
    assert by_channel["email"].loss_probability > 0.75
    assert by_channel["ads"].loss_probability < 0.05


def test_an_appeal_that_has_ended_is_not_flagged(
    sent: dict[str, int], campaign: Campaign, treasurer: Any
) -> None:
    with freeze_time(NOW):
        spring = _spring(treasurer, campaign, sent["mailing"])
        spring.ends_on = (NOW - dt.timedelta(days=1)).date()
        spring.save()
        appeals.appeal_returns_refresh()
    result = AppealReturn.objects.get(appeal=spring)
    assert result.loss_probability > appeal_stats.LIKELY
    assert not result.flagged


def test_only_finance_of_the_unit_writes_appeals(
    sent: dict[str, int], campaign: Campaign, treasurer: Any, durham_finance: Any, make_staff: Any
) -> None:
    organizer = make_staff("ola", role="organizer", unit=campaign.durham)
    for actor, unit in ((durham_finance, campaign.guilford), (organizer, campaign.durham)):
        with pytest.raises(PermissionDenied) as raised:
            appeals.appeal_create(
                actor=actor,
                name="Door hangers",
                channel="event",
                refcode="doors",
                org_unit_id=unit.pk,
                starts_on=NOW.date(),
            )
        assert raised.value.code == errors.NOT_FINANCE
    spring = _spring(treasurer, campaign, sent["mailing"])
    with pytest.raises(PermissionDenied):
        appeals.appeal_cost_add(
            actor=durham_finance,
            appeal_id=spring.pk,
            kind="ad_spend",
            amount_cents=1_00,
            incurred_on=NOW.date(),
        )
    with pytest.raises(PermissionDenied):
        appeals.send_cost_set(
            actor=durham_finance, channel="sms", provider="Twilio", cents_per_thousand=790
        )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"refcode": "spring"}, "refcode"),
        ({"refcode": " "}, "refcode"),
        ({"channel": "sms"}, "mailing"),
        ({"channel": "pigeon"}, "channel"),
        ({"ends_on": dt.date(2020, 1, 1)}, "ends_on"),
    ],
)
def test_bad_input_names_its_field_and_writes_nothing(
    sent: dict[str, int], campaign: Campaign, treasurer: Any, change: dict[str, Any], field: str
) -> None:
    _spring(treasurer, campaign, sent["mailing"])
    values: dict[str, Any] = {
        "name": "Again",
        "channel": "email",
        "refcode": "spring-2",
        "org_unit_id": campaign.national.pk,
        "starts_on": NOW.date(),
        "mailing_id": sent["mailing"],
        **change,
    }
    with pytest.raises(ValidationFailed) as raised:
        appeals.appeal_create(actor=treasurer, **values)
    assert (raised.value.code, raised.value.field) == (errors.APPEAL_INVALID, field)
    assert Appeal.objects.count() == 1
