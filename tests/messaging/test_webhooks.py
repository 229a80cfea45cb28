"""Provider webhooks on the live server: signatures are checked before anything changes,
malformed payloads get a 422 naming the field, and email events change consent once."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent
from groundgame.consent.models import ConsentEvent, SuppressedAddress
from groundgame.messaging.models import DeliveryEvent, InboundText, Send
from groundgame.people import services as people
from tests.helpers import assert_api_error
from tests.loopback import LoopbackSms, LoopbackSmtp, WebhookAnswer, http_post, twilio_signature

pytestmark = pytest.mark.django_db(transaction=True)

ALICE = "+19195550101"


def _nothing_changed() -> None:
    assert not InboundText.objects.exists()
    assert not DeliveryEvent.objects.exists()
    assert not SuppressedAddress.objects.exists()
    assert not ConsentEvent.objects.exclude(action=ConsentEvent.Action.SUBSCRIBE).exists()


# -- SMS: Twilio's signature over the URL and the form ----------------------------------


@pytest.fixture
def texted(sms: LoopbackSms, send_mailing: Callable[..., Any]) -> Any:
    """Alice, subscribed to texts, has had one; the provider's record of it."""
    person = people.person_create(actor=None, first_name="Alice", last_name="A", phone=ALICE)
    consent.subscription_join(
        person_id=person.pk, channel="sms", topic_keys=["volunteering"], source="signup"
    )
    send_mailing("sms", "volunteering", "Canvass Saturday?")
    [message] = sms.to(ALICE)
    return message


def test_sms_webhooks_refuse_a_bad_or_missing_signature(
    sms: LoopbackSms, public_url: str, texted: Any
) -> None:
    inbound = public_url + reverse("messaging:sms_inbound")
    stop = {"MessageSid": "SMin1", "From": ALICE, "To": sms.number, "Body": "STOP"}
    status = {"MessageSid": texted.sid, "MessageStatus": "delivered", "To": ALICE}
    forged = [
        "",  # none
        twilio_signature("not-the-token", inbound, stop),  # someone else's key
        twilio_signature(sms.token, public_url + "/elsewhere", stop),  # another address
        twilio_signature(sms.token, inbound, {**stop, "Body": "HELLO"}),  # another body
    ]
    for signature in forged:
        answer = sms.post_signed(inbound, stop, signature=signature)
        assert_api_error(answer, 403, "signature_invalid", None)
        answer = sms.post_signed(texted.status_callback, status, signature=signature)
        assert_api_error(answer, 403, "signature_invalid", None)
    _nothing_changed()
    # The same requests, signed, go through.
    assert sms.post_signed(inbound, stop).status == 200
    assert sms.post_signed(texted.status_callback, status).status == 204


def test_malformed_sms_webhooks_name_the_field(
    sms: LoopbackSms, public_url: str, texted: Any
) -> None:
    inbound = public_url + reverse("messaging:sms_inbound")
    for missing in ("MessageSid", "From", "Body"):
        form = {"MessageSid": "SMin1", "From": ALICE, "To": sms.number, "Body": "STOP"}
        del form[missing]
        assert_api_error(sms.post_signed(inbound, form), 422, "event_invalid", missing)
    not_a_number = {"MessageSid": "SMin2", "From": "alice", "To": sms.number, "Body": "STOP"}
    assert_api_error(sms.post_signed(inbound, not_a_number), 422, "event_invalid", "From")

    status = {"MessageStatus": "delivered", "To": ALICE}
    answer = sms.post_signed(texted.status_callback, status)
    assert_api_error(answer, 422, "event_invalid", "MessageSid")
    _nothing_changed()


# -- email provider events: an HMAC-SHA256 of the body ----------------------------------


def _signed(body: bytes, secret: str | None = None) -> dict[str, str]:
    key = (secret or settings.GROUNDGAME_WEBHOOK_SECRET).encode()
    return {
        "Content-Type": "application/json",
        "X-Groundgame-Signature": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
    }


@pytest.fixture
def emailed(smtp: LoopbackSmtp, public_url: str, send_mailing: Callable[..., Any]) -> list[Any]:
    """Three subscribers who have had a volunteering email; their (person, Message-ID)."""
    people_and_ids = []
    for name in ("ann", "ben", "cat"):
        person = people.person_create(
            actor=None, first_name=name.title(), last_name="B", email=f"{name}@example.com"
        )
        consent.subscription_join(
            person_id=person.pk,
            channel="email",
            topic_keys=["volunteering", "voting_info"],
            source="signup",
        )
        people_and_ids.append(person)
    send_mailing("email", "volunteering", "Canvass Saturday?", "This weekend")
    ids = {m.rcpt_tos[0]: str(m.message["Message-ID"]).strip() for m in smtp.inbox}
    return [(p, ids[p.email]) for p in people_and_ids]


def _post_events(public_url: str, events: Any, secret: str | None = None) -> WebhookAnswer:
    body = json.dumps({"events": events}).encode()
    return http_post(public_url + reverse("messaging:email_events"), body, _signed(body, secret))


def _reason(person: Any, topic_key: str) -> str:
    topic = consent_selectors.topic_get(topic_key)
    assert topic is not None
    return consent_selectors.contact_decision(
        person_id=person.pk, channel="email", topic=topic
    ).reason


def test_email_events_change_consent_once(public_url: str, emailed: list[Any]) -> None:
    (ann, ann_id), (_, ben_id), (cat, cat_id) = emailed
    events = [
        {"id": "ev1", "event": "bounced", "message_id": ann_id, "recipient": "ann@example.com"},
        {"id": "ev2", "event": "complained", "message_id": ben_id, "recipient": "ben@example.com"},
        {"id": "ev3", "event": "unsubscribed", "message_id": cat_id},
        {"id": "ev4", "event": "delivered", "message_id": cat_id},
    ]
    answer = _post_events(public_url, events)
    assert answer.status == 200
    assert answer.json() == {"recorded": 4}

    suppressed = dict(SuppressedAddress.objects.values_list("address", "reason"))
    assert suppressed == {"ann@example.com": "bounced", "ben@example.com": "complained"}
    assert _reason(ann, "voting_info") == "address_suppressed"
    # Unsubscribing leaves that mailing's topic, not the others.
    assert _reason(cat, "volunteering") == "topic_left"
    assert _reason(cat, "voting_info") == ""
    assert DeliveryEvent.objects.filter(send__isnull=False).count() == 4

    # The provider delivers the batch again: nothing is counted twice.
    again = _post_events(public_url, events)
    assert again.json() == {"recorded": 0}
    assert DeliveryEvent.objects.count() == 4
    assert ConsentEvent.objects.filter(action=ConsentEvent.Action.UNSUBSCRIBE).count() == 1


def test_email_events_refuse_a_bad_or_missing_signature(
    public_url: str, emailed: list[Any]
) -> None:
    [(_, ann_id), *_] = emailed
    url = public_url + reverse("messaging:email_events")
    body = json.dumps({"events": [{"id": "ev1", "event": "bounced", "message_id": ann_id}]})
    for headers in (
        {"Content-Type": "application/json"},
        _signed(body.encode(), secret="not-the-secret"),
        # The secret key signs sessions and links; the provider never holds it.
        _signed(body.encode(), secret=settings.SECRET_KEY),
        _signed(b'{"events": []}'),
        {**_signed(body.encode()), "X-Groundgame-Signature": "sha256=00"},
    ):
        assert_api_error(http_post(url, body.encode(), headers), 403, "signature_invalid", None)
    assert not DeliveryEvent.objects.exists()
    assert not SuppressedAddress.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "events"),
        (b"\xff\xfe", "events"),
        # Deep enough to exhaust the parser's stack: refused before parsing.
        (b'{"events": ' + b"[" * 3000 + b"]" * 3000 + b"}", "events"),
        (b'{"event": "bounced"}', "events"),
        (b'{"events": {"id": "ev1"}}', "events"),
        (b'{"events": ["bounced"]}', "events[0]"),
        (b'{"events": [{"id": "ev1", "event": "exploded"}]}', "events[0].event"),
        (b'{"events": [{"event": "bounced", "recipient": "a@example.com"}]}', "events[0].id"),
    ],
)
def test_malformed_email_events_name_the_field(public_url: str, body: bytes, field: str) -> None:
    answer = http_post(public_url + reverse("messaging:email_events"), body, _signed(body))
    assert_api_error(answer, 422, "event_invalid", field)
    assert not DeliveryEvent.objects.exists()


def test_a_batch_with_one_bad_event_records_none(public_url: str, emailed: list[Any]) -> None:
    [(_, ann_id), *_] = emailed
    events = [
        {"id": "ev1", "event": "bounced", "message_id": ann_id, "recipient": "ann@example.com"},
        {"id": "ev2", "event": "opened", "message_id": ann_id},
    ]
    assert_api_error(_post_events(public_url, events), 422, "event_invalid", "events[1].event")
    assert not DeliveryEvent.objects.exists()
    assert not SuppressedAddress.objects.exists()
    assert Send.objects.get(address="ann@example.com").status == Send.Status.SENT


def test_the_same_webhook_delivered_twice_at_once_counts_once(
    sms: LoopbackSms, public_url: str, texted: Any
) -> None:
    inbound = public_url + reverse("messaging:sms_inbound")
    start = threading.Barrier(6)

    def stop_and_report(_: int) -> tuple[WebhookAnswer, WebhookAnswer]:
        start.wait()
        return (
            sms.text_in(inbound, from_=ALICE, body="STOP", sid="SMsame"),
            sms.report_status(texted, "delivered"),
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(stop_and_report, range(6)))

    assert {(a.status, b.status) for a, b in answers} == {(200, 204)}
    assert len({tuple(a.twiml_messages()) for a, _ in answers}) == 1
    assert InboundText.objects.count() == 1
    assert ConsentEvent.objects.filter(action=ConsentEvent.Action.STOP).count() == 1
    assert DeliveryEvent.objects.count() == 1


def test_webhooks_never_share_the_secret_key(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Left unset, the webhook secret is generated once, apart from the key; set to the key,
    the start stops with a message naming the setting."""
    from groundgame.core import env

    monkeypatch.delenv("GROUNDGAME_WEBHOOK_SECRET", raising=False)
    first = env.webhook_secret(tmp_path, "the-secret-key")
    assert first != "the-secret-key"
    assert env.webhook_secret(tmp_path, "the-secret-key") == first  # kept across restarts
    assert (tmp_path / "webhook_secret").stat().st_mode & 0o077 == 0
    assert settings.GROUNDGAME_WEBHOOK_SECRET != settings.SECRET_KEY

    monkeypatch.setenv("GROUNDGAME_WEBHOOK_SECRET", "the-secret-key")
    with pytest.raises(ValueError, match="GROUNDGAME_WEBHOOK_SECRET"):
        env.webhook_secret(tmp_path, "the-secret-key")
