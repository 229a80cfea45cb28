"""Email through a real SMTP server on loopback: who gets a mailing, what arrives, and the
RFC 8058 one-click unsubscribe a mail client POSTs to the live server."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent
from groundgame.consent.models import SuppressedAddress
from groundgame.messaging import services as messaging
from groundgame.messaging import tasks
from groundgame.messaging.models import Send
from groundgame.people import services as people
from tests.loopback import LoopbackSmtp, http_post

pytestmark = pytest.mark.django_db(transaction=True)

SUBJECT = "{{ first_name }}, knock doors with us"
BODY = "Hi {{ first_name }},\n\nJoin us Saturday at 10.\n\nSee you there."


def _subscriber(first_name: str, email: str, *topics: str) -> Any:
    person = people.person_create(actor=None, first_name=first_name, last_name="Test", email=email)
    consent.subscription_join(
        person_id=person.pk, channel="email", topic_keys=topics, source="signup"
    )
    return person


def _decision(person: Any, topic_key: str) -> str:
    topic = consent_selectors.topic_get(topic_key)
    assert topic is not None
    return consent_selectors.contact_decision(
        person_id=person.pk, channel="email", topic=topic
    ).reason


def test_mailing_arrives_and_one_click_leaves_only_that_topic(
    smtp: LoopbackSmtp, public_url: str, send_mailing: Callable[..., Any]
) -> None:
    alice = _subscriber("Alice", "alice@example.com", "volunteering", "voting_info")
    # A name that would be markup if pasted into the HTML unescaped.
    _subscriber("<img src=x onerror=alert(1)>", "mallory@example.com", "volunteering")
    bob = _subscriber("Bob", "bob@example.org", "volunteering")
    consent.subscription_leave(
        person_id=bob.pk, channel="email", topic_keys=["volunteering"], source="test"
    )
    carol = _subscriber("Carol", "carol@example.net", "volunteering")
    consent.do_not_contact_set(person_id=carol.pk, reason="Asked by phone", source="test")
    _subscriber("Dave", "dave@example.com", "volunteering")
    consent.address_suppress(
        channel="email", address="dave@example.com", reason="bounced", source="test"
    )
    people.person_create(actor=None, first_name="Nora", last_name="Never", email="n@example.com")

    tally = send_mailing("email", "volunteering", BODY, SUBJECT)

    assert (tally.sent, tally.failed, tally.retried) == (2, 0, 0)
    assert sorted(r for m in smtp.inbox for r in m.rcpt_tos) == [
        "alice@example.com",
        "mallory@example.com",
    ]
    [mail] = smtp.to("alice@example.com")
    message = mail.message
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "Alice, knock doors with us"
    assert message.get_content_type() == "multipart/alternative"
    text = mail.part("text/plain")
    html = mail.part("text/html")
    assert "Hi Alice," in text
    assert "Join us Saturday at 10." in text
    assert "<p>Hi Alice,</p>" in html
    assert settings.GROUNDGAME_POSTAL_ADDRESS in text

    # The personalization is text in the HTML part, never markup.
    [mallory_mail] = smtp.to("mallory@example.com")
    mallory_html = mallory_mail.part("text/html")
    assert "<img" not in mallory_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in mallory_html

    # RFC 8058: a one-click address on this server, and the POST body it expects.
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # (A long header is folded after its colon; unfolding leaves the leading space.)
    found = re.fullmatch(r"<(.+)>", str(message["List-Unsubscribe"]).strip())
    assert found is not None
    one_click = found.group(1)
    assert re.fullmatch(re.escape(public_url) + r"/u/[^/]+/one-click", one_click)

    # The mail client POSTs, with no cookie and no CSRF token; it takes effect at once.
    answer = http_post(
        one_click,
        b"List-Unsubscribe=One-Click",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 200
    assert _decision(alice, "volunteering") == "topic_left"
    assert _decision(alice, "voting_info") == ""

    smtp.inbox.clear()
    send_mailing("email", "volunteering", BODY, "Again, {{ first_name }}")
    assert smtp.to("alice@example.com") == []
    assert len(smtp.to("mallory@example.com")) == 1

    send_mailing("email", "voting_info", "Your polling place is open 7 to 7.", "Vote Tuesday")
    [voting] = smtp.to("alice@example.com")
    assert voting.message["Subject"] == "Vote Tuesday"


def test_one_click_with_a_forged_link_changes_nothing(
    smtp: LoopbackSmtp, public_url: str, send_mailing: Callable[..., Any]
) -> None:
    alice = _subscriber("Alice", "alice@example.com", "volunteering")
    answer = http_post(
        public_url + "/u/not-a-signed-token/one-click",
        b"List-Unsubscribe=One-Click",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 400
    assert _decision(alice, "volunteering") == ""


def test_mail_server_down_keeps_sends_queued_until_it_is_back(
    smtp: LoopbackSmtp, public_url: str, send_mailing: Callable[..., Any]
) -> None:
    for n in range(3):
        _subscriber(f"Person{n}", f"p{n}@example.com", "volunteering")
    smtp.stop()

    tally = send_mailing("email", "volunteering", BODY, SUBJECT)

    assert (tally.sent, tally.failed) == (0, 0)
    assert tally.retried >= 1
    statuses = set(Send.objects.values_list("status", flat=True))
    assert statuses == {Send.Status.QUEUED}
    assert "unreachable" in Send.objects.exclude(error="").get().error
    # The background sender gives up for now instead of trying in a loop.
    assert tasks.sends_deliver.call("email") == 0
    assert set(Send.objects.values_list("status", flat=True)) == {Send.Status.QUEUED}

    smtp.start()
    again = messaging.sends_deliver(channel="email")
    assert (again.sent, again.failed) == (3, 0)
    assert sorted(r for m in smtp.inbox for r in m.rcpt_tos) == [
        "p0@example.com",
        "p1@example.com",
        "p2@example.com",
    ]
    assert set(Send.objects.values_list("status", flat=True)) == {Send.Status.SENT}
    # Nothing more goes on a later run.
    messaging.sends_deliver(channel="email")
    assert len(smtp.inbox) == 3


def test_a_refused_mailbox_is_suppressed_and_a_deferral_waits_in_the_queue(
    smtp: LoopbackSmtp, public_url: str, send_mailing: Callable[..., Any]
) -> None:
    for n in range(3):
        _subscriber(f"Person{n}", f"p{n}@example.com", "volunteering")
    smtp.refuse["p1@example.com"] = "550 5.1.1 No such user"
    smtp.refuse["p2@example.com"] = "450 4.2.1 Mailbox busy, try again later"

    tally = send_mailing("email", "volunteering", BODY, SUBJECT)

    assert (tally.sent, tally.failed, tally.retried) == (1, 1, 1)
    gone = SuppressedAddress.objects.get(channel="email", address="p1@example.com")
    assert gone.reason == SuppressedAddress.Reason.INVALID
    assert Send.objects.get(address="p2@example.com").status == Send.Status.QUEUED
    assert not SuppressedAddress.objects.filter(address="p2@example.com").exists()

    smtp.refuse.clear()
    assert messaging.sends_deliver(channel="email").sent == 1
    assert sorted(r for m in smtp.inbox for r in m.rcpt_tos) == [
        "p0@example.com",
        "p2@example.com",
    ]
