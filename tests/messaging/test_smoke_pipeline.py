"""From a universe to delivered email through the outbox: the fan-out queues only people
the consent rule allows, and the sender delivers each once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent
from groundgame.core.errors import ApplicationError
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Mailing, Send
from groundgame.people import services as people


@pytest.fixture
def email_settings(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_mailing_reaches_only_subscribers_once(campaign: Any, email_settings: None) -> None:
    universe = people.universe_save(actor=None, name="Everyone", filters={})
    consent.subscription_join(
        person_id=campaign.alice.pk, channel="email", topic_keys=["volunteering"], source="test"
    )
    consent.subscription_join(
        person_id=campaign.bob.pk, channel="email", topic_keys=["volunteering"], source="test"
    )
    consent.subscription_leave(
        person_id=campaign.bob.pk, channel="email", topic_keys=["volunteering"], source="test"
    )
    mailing = messaging.mailing_create(
        actor=None,
        name="Canvass this weekend",
        channel="email",
        topic_key="volunteering",
        universe_id=universe.pk,
        subject="{{ first_name }}, knock doors with us",
        body='Hi {{ first_name|default:"friend" }},\n\nJoin us <b>Saturday</b>.',
    )
    messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
    result = messaging.mailing_fan_out(mailing_id=mailing.pk)
    assert result is not None
    assert result.queued == 1
    assert result.audience == 3
    tally = messaging.sends_deliver(channel="email")
    assert tally.sent == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "Alice, knock doors with us"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert "&lt;b&gt;Saturday&lt;/b&gt;" in html
    # Again: nothing more is queued or sent.
    messaging.sends_deliver(channel="email")
    assert len(mail.outbox) == 1
    assert Send.objects.filter(mailing=mailing).count() == 1
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT
    topic = consent_selectors.topic_get("volunteering")
    assert topic is not None
    decision = consent_selectors.contact_decision(
        person_id=campaign.bob.pk, channel="email", topic=topic
    )
    assert decision.reason == "topic_left"


def test_one_sender_per_channel_at_a_time(campaign: Any, email_settings: None) -> None:
    universe = people.universe_save(actor=None, name="Everyone", filters={})
    for person in (campaign.alice, campaign.bob):
        consent.subscription_join(
            person_id=person.pk, channel="email", topic_keys=["news"], source="test"
        )
    mailing = messaging.mailing_create(
        actor=None,
        name="News",
        channel="email",
        topic_key="news",
        universe_id=universe.pk,
        subject="News",
        body="Hello {{ first_name }}.",
    )
    messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
    messaging.mailing_fan_out(mailing_id=mailing.pk)
    refusals: list[str] = []

    def second_sender(tally: Any) -> None:
        try:
            messaging.sends_deliver(channel="email")
        except ApplicationError as exc:
            refusals.append(exc.code)

    tally = messaging.sends_deliver(channel="email", progress=second_sender)
    assert tally.sent == 2
    assert refusals == ["sender_busy", "sender_busy"]
    assert messaging.sends_deliver(channel="email").sent == 0, "free again once done"
