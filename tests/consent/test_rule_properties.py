"""Properties of the one contact rule.

1. The rule agrees with itself and with the product's promise: after any history of consent
   events, the bulk query (``rules.reachable``, what the fan-out uses), the per-person
   decision (``rules.decide`` and ``contact_decision``, what the sender asks) and an
   independent model replaying the history name the same people, for the same reasons.
2. Random histories of subscribe, unsubscribe, STOP, START, bounce, complaint and
   do-not-contact interleaved with mailings, one-off messages, deliveries and sender crashes:
   every message handed to a provider was allowed by the model at that moment, on the
   person's address, and nothing is handed over twice.

The providers are the only fakes: they record what they were asked to deliver, as a real one
would receive it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from groundgame.consent import links, rules
from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent
from groundgame.messaging import sender
from groundgame.messaging import services as messaging
from groundgame.messaging.backends import DeliveryError
from groundgame.messaging.compose import OutgoingEmail, OutgoingText
from groundgame.messaging.models import Send
from groundgame.messaging.throttle import TokenBucket
from groundgame.organizing import services as organizing
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people
from tests.consent.consent_model import CHANNELS, EMAIL, SMS, ConsentModel, Someone

TOPICS = ("volunteering", "fundraising", "transactional")
TRANSACTIONAL = frozenset({"transactional"})

# Four people: Ana and Ben share a phone (a family number); Cy has no email, Di no phone;
# Ana and Cy live at a known address (mail and doors reach them).
PEOPLE = {
    "Ana": Someone(email="ana@example.org", phone="+19195550100", household=True),
    "Ben": Someone(email="ben@example.org", phone="+19195550100", household=False),
    "Cy": Someone(email="", phone="+19195550102", household=True),
    "Di": Someone(email="di@example.org", phone="", household=False),
}
NAMES = tuple(PEOPLE)

# What people text back. Only a keyword alone is one, whatever its case or full stop; a
# sentence that contains one is a conversation.
STOP_TEXTS = ("STOP", "stop", " Stop. ", "unsubscribe", "END", "quit!", "StopAll")
START_TEXTS = ("START", "yes", "Unstop")
OTHER_TEXTS = ("HELP", "stop please", "Where do I vote?")

person = st.sampled_from(NAMES)
channel = st.sampled_from(CHANNELS)
topic = st.sampled_from(TOPICS)
topics = st.lists(topic, min_size=1, max_size=3, unique=True)
consent_events = st.one_of(
    st.tuples(st.just("join"), person, channel, topics),
    st.tuples(st.just("leave"), person, channel, topics),
    st.tuples(st.just("leave_channel"), person, channel),
    st.tuples(st.just("dnc_set"), person),
    st.tuples(st.just("dnc_clear"), person),
    st.tuples(st.just("text"), person, st.sampled_from(STOP_TEXTS + START_TEXTS + OTHER_TEXTS)),
    st.tuples(st.sampled_from(["bounced", "complained"]), person),
    st.tuples(st.just("one_click"), person, st.sampled_from([EMAIL, SMS]), topic),
    st.tuples(
        st.just("preferences"),
        person,
        st.sampled_from([EMAIL, SMS]),
        st.lists(topic, max_size=3, unique=True),
        st.sampled_from(["keep", "leave_channel", "do_not_contact"]),
    ),
)


@dataclass(frozen=True)
class Cast:
    """The people in the database (created once per test: every example starts from them
    with no consent recorded) and a staff member who may lift a do-not-contact."""

    ids: dict[str, int]
    staff: Any

    @classmethod
    def create(cls) -> Cast:
        ids: dict[str, int] = {}
        for name, someone in PEOPLE.items():
            fields = {"first_name": name, "last_name": "Voter"}
            fields.update(email=someone.email, phone=someone.phone)
            if someone.household:
                found = people.person_find_or_create(
                    actor=None, source="test", street=f"{len(name)} {name} St", zip5="27701",
                    **fields,
                )  # fmt: skip
                ids[name] = found.person.pk
            else:
                ids[name] = people.person_create(actor=None, **fields).pk
        staff = organizing.staff_create(
            actor=None, username="compliance", password="a-long-test-password-1"
        )
        return cls(ids=ids, staff=staff)


class World:
    """The cast, its consent in the model, and consent events applied to both."""

    def __init__(self, cast: Cast) -> None:
        self.ids = cast.ids
        self.staff = cast.staff
        self.model = ConsentModel(
            people={pk: PEOPLE[name] for name, pk in self.ids.items()},
            transactional=TRANSACTIONAL,
        )
        self._ids = itertools.count(1)

    def provider_id(self, prefix: str) -> str:
        """A new id for something a provider sends us (an inbound text, an event)."""
        return f"{prefix}{next(self._ids)}"

    def apply(self, event: tuple[Any, ...]) -> None:
        kind, name, *rest = event
        pk = self.ids[name]
        someone = PEOPLE[name]
        model = self.model
        if kind == "join":
            consent.subscription_join(
                person_id=pk, channel=rest[0], topic_keys=rest[1], source="test"
            )
            model.join(pk, rest[0], rest[1])
        elif kind == "leave":
            consent.subscription_leave(
                person_id=pk, channel=rest[0], topic_keys=rest[1], source="test"
            )
            model.leave(pk, rest[0], rest[1])
        elif kind == "leave_channel":
            consent.channel_leave(person_id=pk, channel=rest[0], source="test")
            model.leave_channel(pk, rest[0])
        elif kind == "dnc_set":
            consent.do_not_contact_set(person_id=pk, reason="Asked by phone.", source="staff")
            model.dnc_set(pk)
        elif kind == "dnc_clear":
            consent.do_not_contact_clear(actor=self.staff, person_id=pk, reason="Asked again.")
            model.dnc_clear(pk)
        elif kind == "text" and someone.phone:
            messaging.inbound_text_receive(
                provider_id=self.provider_id("SMin"),
                from_number=someone.phone,
                to_number="+15005550006",
                body=rest[0],
            )
            if rest[0] in STOP_TEXTS:
                model.suppress(SMS, someone.phone, "stopped")
            elif rest[0] in START_TEXTS:
                model.start(someone.phone)
        elif kind in ("bounced", "complained") and someone.email:
            messaging.delivery_event_record(
                kind=kind, provider_event_id=self.provider_id("ev"), address=someone.email
            )
            model.suppress(EMAIL, someone.email, kind)
        elif kind == "one_click":
            token = links.unsubscribe_token(person_id=pk, channel=rest[0], topic_key=rest[1])
            consent.one_click_unsubscribe(token=token)
            model.leave(pk, rest[0], [rest[1]])
        elif kind == "preferences":
            self._preferences(pk, *rest)

    def _preferences(self, pk: int, channel: str, keep: list[str], choice: str) -> None:
        """The unsubscribe page: keep the ticked topics (leave the others, join the new
        ones), or leave the channel, or ask never to be contacted."""
        token = links.unsubscribe_token(person_id=pk, channel=channel, topic_key=TOPICS[0])
        consent.preferences_save(
            token=token,
            keep_topics=keep,
            leave_channel=choice == "leave_channel",
            do_not_contact=choice == "do_not_contact",
        )
        model = self.model
        if choice == "do_not_contact":
            model.dnc_set(pk)
        elif choice == "leave_channel":
            model.leave_channel(pk, channel)
        else:
            subscribed = {t for t in TOPICS if model.choice.get((pk, channel, t)) == "subscribed"}
            if subscribed - set(keep):
                model.leave(pk, channel, sorted(subscribed - set(keep)))
            if set(keep) - subscribed:
                model.join(pk, channel, sorted(set(keep) - subscribed))


# -- 1. the rule agrees with itself and with the model ----------------------------------


class RuleAgreement(TestCase):
    cast: Cast

    @classmethod
    def setUpTestData(cls) -> None:
        cls.cast = Cast.create()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(consent_events, max_size=14))
    def test_bulk_single_and_model_agree(self, history: list[tuple[Any, ...]]) -> None:
        world = World(self.cast)
        for event in history:
            world.apply(event)
        everyone = people_selectors.people_by_ids(world.ids.values())
        for ch in CHANNELS:
            for key in TOPICS:
                found = consent_selectors.topic_get(key)
                assert found is not None
                expected = {pk: world.model.blocked_by(pk, ch, key) for pk in world.ids.values()}
                bulk = set(rules.reachable(everyone, ch, found).values_list("pk", flat=True))
                decided = rules.decide(everyone, ch, found)
                single = {
                    pk: consent_selectors.contact_decision(person_id=pk, channel=ch, topic=found)
                    for pk in world.ids.values()
                }
                where = f"{ch}/{key} after {history}"
                assert bulk == {pk for pk, reason in expected.items() if not reason}, where
                assert {pk: d.reason for pk, d in decided.items()} == expected, where
                assert {pk: d.reason for pk, d in single.items()} == expected, where
                assert all(d.allowed == (not d.reason) for d in decided.values())


# -- 2. sends interleaved with consent events and crashes -------------------------------


class SenderKilled(Exception):
    """The sender process dying at the moment it talks to the provider."""


@dataclass(frozen=True)
class Delivery:
    channel: str
    to: str
    marker: str  # "M3" (mailing 3) or "K1" (one-off message with dedupe key K1)
    name: str
    provider_id: str
    crashed: bool  # the sender died right after the provider took it


_MARKER = re.compile(r"\b([MK]\d+) ([A-Z][a-z]+)\b")


class Providers:
    """The edge of the internet: an email and a text provider that keep what they are given,
    refuse blocked addresses the way real ones do, and can kill the sender mid-call."""

    def __init__(self, machine: SendingMachine) -> None:
        self.machine = machine
        self.deliveries: list[Delivery] = []
        self.blocked: set[str] = set()
        self.crash: str = ""  # "before" / "after" the provider takes the next message
        self.sids = itertools.count(1)

    def backends(self) -> sender.Backends:
        return sender.Backends(
            email=_Email(self),
            text=_Text(self),
            email_rate=TokenBucket(per_second=1e9),
            text_rate=TokenBucket(per_second=1e9),
        )

    def take(self, channel: str, to: str, content: str, provider_id: str) -> str:
        if self.crash == "before":
            self.crash = ""
            raise SenderKilled
        if to in self.blocked:
            self.machine.refused(channel, to)
            raise DeliveryError("Refused: unknown recipient.", retry=False, permanent_address=True)
        match = _MARKER.search(content)
        assert match is not None, content
        crashed = self.crash == "after"
        delivery = Delivery(channel, to, match[1], match[2], provider_id, crashed)
        self.deliveries.append(delivery)
        self.machine.check_delivery(delivery)
        if crashed:
            self.crash = ""
            raise SenderKilled
        return provider_id


class _Email:
    def __init__(self, providers: Providers) -> None:
        self.providers = providers

    def send(self, message: OutgoingEmail) -> str:
        return self.providers.take(EMAIL, message.to, message.text, message.headers["Message-ID"])

    def close(self) -> None:
        pass


class _Text:
    def __init__(self, providers: Providers) -> None:
        self.providers = providers

    def send(self, message: OutgoingText, *, status_callback: str) -> str:
        sid = f"SM{next(self.providers.sids):032d}"
        return self.providers.take(SMS, message.to, message.body, sid)


class SendingMachine(RuleBasedStateMachine):
    # Set by the test before it runs the machine: the people, the universe of all of them.
    cast: Cast
    universe_id: int

    def __init__(self) -> None:
        super().__init__()
        # Each run of the machine in a savepoint of the test's transaction, rolled back after.
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.world = World(self.cast)
        self.providers = Providers(self)
        # What each marker is: (channel, topic) of a mailing, (person, channel, topic) of a
        # one-off message.
        self.mailings: dict[str, tuple[str, str]] = {}
        self.one_offs: dict[str, tuple[str, str, str]] = {}
        self.violations: list[str] = []
        self.crashes = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # -- what the providers report back to the machine --------------------------------

    def check_delivery(self, delivery: Delivery) -> None:
        """Was this message allowed, by the model, at the moment the provider got it?"""
        pk = self.world.ids[delivery.name]
        if delivery.marker in self.mailings:
            channel, topic = self.mailings[delivery.marker]
        else:
            name, channel, topic = self.one_offs[delivery.marker]
            if name != delivery.name:
                self.violations.append(f"{delivery} is {delivery.marker}'s, not theirs")
        reason = self.world.model.blocked_by(pk, channel, topic)
        if reason or channel != delivery.channel:
            self.violations.append(f"{delivery} delivered although {reason or 'channel'}")
        if delivery.to != PEOPLE[delivery.name].address(channel):
            self.violations.append(f"{delivery} went to another address")

    def refused(self, channel: str, to: str) -> None:
        # The sender stops using an address the provider says will never work.
        self.world.model.suppress(channel, to, "stopped" if channel == SMS else "invalid")

    # -- consent ----------------------------------------------------------------------

    @initialize(subscribed=st.sets(st.sampled_from(NAMES)), about=st.tuples(topic, topic))
    def a_list_and_two_mailings(self, subscribed: set[str], about: tuple[str, str]) -> None:
        """Start from a list (some people subscribed to every topic by email and text) and
        an email and a text mailing already queued, so that what follows has people to take
        away as well as to add, and messages to deliver in between."""
        for name in sorted(subscribed):
            for ch in (EMAIL, SMS):
                self.world.apply(("join", name, ch, list(TOPICS)))
        self.mailing(EMAIL, about[0])
        self.mailing(SMS, about[1])

    @rule(event=consent_events)
    def consent_changes(self, event: tuple[Any, ...]) -> None:
        self.world.apply(event)

    @rule(name=person, kind=st.sampled_from(["unsubscribed", "bounced", "complained"]))
    def provider_reports(self, name: str, kind: str) -> None:
        """The provider reports on the last message this person got: they clicked its
        unsubscribe, it bounced, they marked it spam."""
        got = [d for d in self.providers.deliveries if d.name == name and not d.crashed]
        if not got:
            return
        last = got[-1]
        messaging.delivery_event_record(
            kind=kind, provider_event_id=self.world.provider_id("ev"),
            provider_message_id=last.provider_id,
        )  # fmt: skip
        if kind == "unsubscribed":
            channel, topic = self._channel_topic(last.marker)
            self.world.model.leave(self.world.ids[name], channel, [topic])
        else:
            self.world.model.suppress(last.channel, last.to, kind)

    @rule(name=person, ch=st.sampled_from([EMAIL, SMS]))
    def provider_blocks(self, name: str, ch: str) -> None:
        """The carrier or mailbox provider will refuse this address from now on."""
        address = PEOPLE[name].address(ch)
        if address:
            self.providers.blocked.add(address)

    def _channel_topic(self, marker: str) -> tuple[str, str]:
        if marker in self.mailings:
            return self.mailings[marker]
        _, channel, topic = self.one_offs[marker]
        return channel, topic

    # -- sends ------------------------------------------------------------------------

    @rule(ch=st.sampled_from([EMAIL, SMS]), key=topic)
    def mailing(self, ch: str, key: str) -> None:
        marker = f"M{len(self.mailings) + 1}"
        mailing = messaging.mailing_create(
            actor=None, name=marker, channel=ch, topic_key=key, universe_id=self.universe_id,
            subject=f"{marker} news" if ch == EMAIL else "", body=f"{marker} {{{{ first_name }}}}",
        )  # fmt: skip
        messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
        messaging.mailing_fan_out(mailing_id=mailing.pk)
        self.mailings[marker] = (ch, key)
        queued = set(Send.objects.filter(mailing=mailing).values_list("person_id", flat=True))
        # One message per address: of the people sharing one (Ana and Ben's phone), the first.
        first_at: dict[str, int] = {}
        for name, pk in sorted(self.world.ids.items(), key=lambda item: item[1]):
            if self.world.model.allowed(pk, ch, key):
                first_at.setdefault(PEOPLE[name].address(ch), pk)
        allowed = set(first_at.values())
        assert queued == allowed, f"{marker} queued {queued}, the model allows {allowed}"

    @rule(name=person, ch=st.sampled_from([EMAIL, SMS]), key=topic, n=st.integers(1, 3))
    def one_off(self, name: str, ch: str, key: str, n: int) -> None:
        """A confirmation or reminder; the same dedupe key again sends nothing more."""
        marker = f"K{n}"
        send = messaging.message_send(
            person_id=self.world.ids[name], channel=ch, topic_key=key,
            subject="Your shift", body=f"{marker} {name}", dedupe_key=marker,
        )  # fmt: skip
        if send is None:
            assert not PEOPLE[name].address(ch)
        elif marker not in self.one_offs:
            self.one_offs[marker] = (name, ch, key)
        else:
            assert send.person_id == self.world.ids[self.one_offs[marker][0]]

    @rule(ch=st.sampled_from([EMAIL, SMS]), limit=st.none() | st.integers(1, 3))
    def deliver(self, ch: str, limit: int | None) -> None:
        messaging.sends_deliver(channel=ch, limit=limit, use=self.providers.backends())

    @rule(ch=st.sampled_from([EMAIL, SMS]), when=st.sampled_from(["before", "after"]))
    def sender_dies(self, ch: str, when: str) -> None:
        """The sender dies while talking to the provider, before or after it took the
        message; its claimed sends and the one in flight stay as they were."""
        self.providers.crash = when
        try:
            messaging.sends_deliver(channel=ch, use=self.providers.backends())
        except SenderKilled:
            self.crashes += 1
        self.providers.crash = ""

    @precondition(lambda self: self.crashes > 0)
    @rule()
    def leases_run_out(self) -> None:
        """Time passes: a dead sender's leases expire and the next sender recovers them."""
        sender.recover(now=timezone.now() + sender.lease() + dt.timedelta(seconds=1))

    # -- what must always hold ----------------------------------------------------------

    @invariant()
    def only_allowed_messages_were_delivered(self) -> None:
        assert not self.violations, self.violations

    @invariant()
    def nothing_was_delivered_twice(self) -> None:
        counts = Counter((d.marker, d.name) for d in self.providers.deliveries)
        twice = [key for key, n in counts.items() if n > 1]
        assert not twice, f"delivered twice: {twice}"

    @invariant()
    def the_outbox_agrees_with_the_providers(self) -> None:
        """Every send marked sent was delivered (with that provider id), and only sends
        caught in a sender's death are in doubt: at most one per death."""
        sent = set(
            Send.objects.filter(status=Send.Status.SENT).values_list("provider_id", flat=True)
        )
        delivered = {d.provider_id for d in self.providers.deliveries if not d.crashed}
        assert sent == delivered
        in_doubt = Send.objects.filter(status__in=(Send.Status.SENDING, Send.Status.UNKNOWN))
        assert in_doubt.count() <= self.crashes


def test_random_histories_never_reach_a_person_who_left_nor_send_twice(db: None) -> None:
    SendingMachine.cast = Cast.create()
    SendingMachine.universe_id = people.universe_save(actor=None, name="Everyone", filters={}).pk
    # The contact caps are not under test here (see test_caps_properties): high enough
    # never to hold anyone back.
    for ch in (EMAIL, SMS):
        consent.contact_cap_set(
            actor=None, channel=ch, per_person=100, per_household=None, window_hours=1
        )
    run_state_machine_as_test(
        SendingMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
