"""Texts through an SMS provider on loopback (Twilio's message API over HTTP): the first text
to a number names us and the way out, and STOP / START / HELP come back through the inbound
webhook on the live server and are honoured by the next mailing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from groundgame.consent import services as consent
from groundgame.consent.models import ConsentEvent, SuppressedAddress
from groundgame.messaging.models import DeliveryEvent, InboundText, Send
from groundgame.people import services as people
from tests.loopback import LoopbackSms

pytestmark = pytest.mark.django_db(transaction=True)

ALICE = "+19195550101"
BOB = "+19195550102"
BODY = "Hi {{ first_name }}, can you canvass Saturday?"
ORG = "Groundgame for America"


@pytest.fixture(autouse=True)
def _organization(settings: Any) -> None:
    settings.GROUNDGAME_ORGANIZATION = ORG


def _texter(first_name: str, phone: str) -> Any:
    person = people.person_create(actor=None, first_name=first_name, last_name="Test", phone=phone)
    consent.subscription_join(
        person_id=person.pk, channel="sms", topic_keys=["volunteering"], source="signup"
    )
    return person


def _inbound_url(public_url: str) -> str:
    return public_url + reverse("messaging:sms_inbound")


def test_first_text_names_us_and_stop_start_help_are_honoured(
    sms: LoopbackSms, public_url: str, send_mailing: Callable[..., Any]
) -> None:
    _texter("Alice", ALICE)
    inbound = _inbound_url(public_url)

    assert send_mailing("sms", "volunteering", BODY).sent == 1
    [first] = sms.to(ALICE)
    assert first.body == f"{ORG}: Hi Alice, can you canvass Saturday? Reply STOP to opt out."
    assert first.from_ == settings.GROUNDGAME_SMS_FROM
    assert first.status_callback == public_url + reverse("messaging:sms_status")

    send_mailing("sms", "volunteering", BODY)
    second = sms.to(ALICE)[1]
    assert second.body == "Hi Alice, can you canvass Saturday?"

    # STOP, in any case, answered with the carrier-standard confirmation in TwiML.
    answer = sms.text_in(inbound, from_=ALICE, body="Stop", sid="SMstop1")
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("application/xml")
    assert answer.twiml_messages() == [
        f"{ORG}: You are unsubscribed and will receive no more texts. Reply START to resubscribe."
    ]
    assert SuppressedAddress.objects.filter(channel="sms", address=ALICE).exists()

    tally = send_mailing("sms", "volunteering", BODY)
    assert tally.sent == 0
    assert len(sms.to(ALICE)) == 2

    # The provider delivers the same webhook again: handled once, same answer.
    again = sms.text_in(inbound, from_=ALICE, body="Stop", sid="SMstop1")
    assert again.twiml_messages() == answer.twiml_messages()
    assert InboundText.objects.filter(provider_id="SMstop1").count() == 1
    assert ConsentEvent.objects.filter(action=ConsentEvent.Action.STOP).count() == 1

    started = sms.text_in(inbound, from_=ALICE, body="start")
    assert started.twiml_messages() == [
        f"{ORG}: You are resubscribed to texts. Msg & data rates may apply. "
        "Reply HELP for help, STOP to opt out."
    ]
    assert not SuppressedAddress.objects.filter(channel="sms", address=ALICE).exists()
    # A late replay of the old STOP does not opt them out again.
    sms.text_in(inbound, from_=ALICE, body="Stop", sid="SMstop1")
    assert not SuppressedAddress.objects.filter(channel="sms", address=ALICE).exists()

    assert send_mailing("sms", "volunteering", BODY).sent == 1
    assert sms.to(ALICE)[-1].body == "Hi Alice, can you canvass Saturday?"

    [help_reply] = sms.text_in(inbound, from_=ALICE, body=" help ").twiml_messages()
    assert help_reply.startswith(f"{ORG}: Help at ")
    assert "Reply STOP to opt out." in help_reply

    # Anything else is kept for a person to read, with no automatic answer.
    chat = sms.text_in(inbound, from_=ALICE, body="Stop by at 5? I have signs")
    assert chat.status == 200
    assert chat.twiml_messages() == []
    assert InboundText.objects.filter(body="Stop by at 5? I have signs", keyword="").exists()
    assert not SuppressedAddress.objects.filter(channel="sms", address=ALICE).exists()


def test_status_callbacks_are_recorded_once(
    sms: LoopbackSms, public_url: str, send_mailing: Callable[..., Any]
) -> None:
    _texter("Alice", ALICE)
    _texter("Bob", BOB)
    send_mailing("sms", "volunteering", BODY)
    [to_alice] = sms.to(ALICE)
    [to_bob] = sms.to(BOB)

    assert sms.report_status(to_alice, "sent").status == 204  # not a delivery report
    assert sms.report_status(to_alice, "delivered").status == 204
    assert sms.report_status(to_alice, "delivered").status == 204  # delivered twice
    assert sms.report_status(to_bob, "undelivered", error_code="30003").status == 204

    delivered = DeliveryEvent.objects.get(kind=DeliveryEvent.Kind.DELIVERED)
    assert delivered.send is not None
    assert delivered.send.address == ALICE
    assert delivered.mailing_id == delivered.send.mailing_id
    failed = DeliveryEvent.objects.get(kind=DeliveryEvent.Kind.FAILED)
    assert failed.address == BOB
    assert failed.detail == "30003"
    assert DeliveryEvent.objects.count() == 2
    assert Send.objects.get(address=BOB).status == Send.Status.FAILED
    assert Send.objects.get(address=ALICE).status == Send.Status.SENT


def test_number_the_carrier_blocks_fails_and_is_suppressed(
    sms: LoopbackSms, public_url: str, send_mailing: Callable[..., Any]
) -> None:
    _texter("Alice", ALICE)
    _texter("Bob", BOB)
    sms.blocklist.add(BOB)  # Bob texted STOP to the carrier, not to us

    tally = send_mailing("sms", "volunteering", BODY)

    assert (tally.sent, tally.failed) == (1, 1)
    bob_send = Send.objects.get(address=BOB)
    assert bob_send.status == Send.Status.FAILED
    assert bob_send.error == "SMS provider 400: Attempt to send to unsubscribed recipient"
    suppressed = SuppressedAddress.objects.get(channel="sms", address=BOB)
    assert suppressed.reason == SuppressedAddress.Reason.STOPPED

    sms.blocklist.clear()
    send_mailing("sms", "volunteering", BODY)
    assert sms.to(BOB) == []
    assert len(sms.to(ALICE)) == 2


def test_provider_refusing_our_credentials_sends_nothing_twice(
    sms: LoopbackSms, public_url: str, settings: Any, send_mailing: Callable[..., Any]
) -> None:
    _texter("Alice", ALICE)
    settings.GROUNDGAME_SMS_URL = sms.url.replace(sms.token, "wrong-token")

    tally = send_mailing("sms", "volunteering", BODY)

    assert (tally.sent, tally.failed) == (0, 1)
    send = Send.objects.get()
    assert send.status == Send.Status.FAILED
    assert "401" in send.error
    assert sms.messages == []
    # A configuration problem is not the number's fault: it stays reachable.
    assert not SuppressedAddress.objects.exists()
