"""Ten weeks of messaging history for the demo campaign, so that list health has a story.

Who subscribed to what (shares of the people with an email or a phone as a campaign list
holds them), then fourteen mailings, oldest first, each sent to the people the contact rule
allows at that moment, and what came back: bounces, spam complaints, unsubscribes, channel
leaves, STOPs and do-not-contact requests, with the consent changes they made. Fundraising
asks drive most of the churn, and late in the campaign the battleground states, whose
voters get the most asks, churn faster: what happened in 2024, when 1.3 million donors left
the program, half of them in battleground states.

The rows are written in bulk (the consent history through ``history_bulk_record``, each
mailing with its sends and delivery events through ``mailing_history_record``): one service
call per send would take minutes for the ~100,000 rows. Nobody in it is real; the same seed
gives the same history.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from groundgame.consent import selectors as consent_selectors
from groundgame.consent import services as consent_services
from groundgame.messaging import selectors as messaging_selectors
from groundgame.messaging import services as messaging_services
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people_services

EMAIL, SMS = "email", "sms"

# Share of the people with an address who subscribed to each topic: voters on the file, and
# donors (who gave online and so are on the fundraising list first of all).
SUBSCRIBE_SHARES = {
    "voter": {
        EMAIL: {"volunteering": 0.35, "voting_info": 0.40, "fundraising": 0.50, "events": 0.2},
        SMS: {"volunteering": 0.12, "voting_info": 0.20, "fundraising": 0.10},
    },
    "donor": {
        EMAIL: {"volunteering": 0.15, "voting_info": 0.30, "fundraising": 0.95, "news": 0.4},
        SMS: {"volunteering": 0.05, "voting_info": 0.10, "fundraising": 0.35},
    },
}
SUBSCRIBE_SOURCES = {"fundraising": "import:actblue"}
# Most of the list was built before the ten weeks shown; about one in eight joins during them.
JOINED_EARLIER = 0.88


@dataclass(frozen=True)
class Plan:
    """One mailing: when (days ago), on what, and how hard it pushes people away."""

    days_ago: float
    channel: str
    topic: str
    name: str
    subject: str
    # Per message sent: leaving (an unsubscribe, a channel leave, a STOP, a do-not-contact)
    # and, for email, a spam complaint.
    leave: float
    complaint: float = 0.0
    # A test: its variants (label, from name, subject, share in percent), and how much more
    # each pushes people away than the plan's rate (``VARIANT_LEAVE``).
    variants: tuple[tuple[str, str, str, int], ...] = ()


# The demo's one tested mailing: the personal note from a named sender is opened and given
# to more (see ``demo/insights.py``), and loses more subscribers too.
VARIANT_LEAVE = {"A": 1.0, "B": 1.7}

PLANS = (
    Plan(68, EMAIL, "fundraising", "Q3 match: double your gift", "Your gift, doubled", 0.0011),
    Plan(64, EMAIL, "volunteering", "Knock doors this weekend", "Can you knock 20 doors?", 0.0006),
    Plan(57, EMAIL, "fundraising", "End of quarter push", "Midnight deadline", 0.0014, 0.0003),
    Plan(53, SMS, "voting_info", "Check your registration", "", 0.006),
    Plan(49, EMAIL, "voting_info", "Make your voting plan", "Your plan to vote", 0.0005),
    Plan(43, EMAIL, "fundraising", "We are being outspent", "Outspent 3 to 1", 0.0016, 0.0004),
    Plan(36, EMAIL, "volunteering", "Phone bank from home", "Call voters tonight", 0.0007),
    Plan(31, SMS, "fundraising", "Chip in before midnight", "", 0.014),
    Plan(28, EMAIL, "fundraising", "Triple match ends tonight", "3x match", 0.0021, 0.0006),
    Plan(22, EMAIL, "voting_info", "Early voting starts", "Vote early", 0.0006),
    Plan(15, EMAIL, "fundraising", "Final notice: membership", "FINAL NOTICE", 0.0042, 0.0016),
    Plan(10, SMS, "volunteering", "Shifts near you", "", 0.008),
    Plan(
        6,
        EMAIL,
        "fundraising",
        "Emergency: falling behind",
        "We are falling behind",
        0.0036,
        0.0012,
        variants=(
            ("A", "", "We are falling behind", 50),
            ("B", "Maria Alvarez", "Maria here: can you help tonight?", 50),
        ),
    ),
    Plan(2, EMAIL, "volunteering", "Get out the vote shifts", "Sign up for a GOTV shift", 0.0009),
)
BOUNCE_RATE = 0.003  # of emails sent: old and mistyped addresses

_BODY = {
    EMAIL: 'Hi {{ first_name|default:"friend" }},\n\n{{ name }}',
    SMS: '{{ first_name|default:"Hi" }}, ',
}


@dataclass(frozen=True)
class History:
    subscriptions: int
    mailings: int
    sends: int
    churn: int


@dataclass
class _Person:
    pk: int
    email: str
    phone: str
    state: str
    battleground: bool
    joined: dict[tuple[str, str], dt.datetime]


def _subscriptions(
    rng: random.Random, people: list[_Person], donors: set[int], now: dt.datetime
) -> list[consent_services.PastEvent]:
    window = PLANS[0].days_ago + 2
    events = []
    for p in people:
        shares = SUBSCRIBE_SHARES["donor" if p.pk in donors else "voter"]
        for channel, topics in shares.items():
            if not (p.email if channel == EMAIL else p.phone):
                continue
            for topic, share in topics.items():
                if rng.random() >= share:
                    continue
                if rng.random() < JOINED_EARLIER:
                    days = rng.uniform(window, 365)
                else:
                    days = rng.uniform(0, window)
                at = now - dt.timedelta(days=days)
                p.joined[(channel, topic)] = at
                events.append(
                    consent_services.PastEvent(
                        person_id=p.pk,
                        action="subscribe",
                        source=SUBSCRIBE_SOURCES.get(topic, "signup_form"),
                        at=at,
                        state=p.state,
                        channel=channel,
                        topic_key=topic,
                    )
                )
    return events


def _battleground_pressure(days_ago: float) -> float:
    """How much faster battleground voters churn than others, rising from 1x ten weeks out to
    about 4x in the last weeks, as the asks to them multiply."""
    return 1.0 + 3.0 / (1.0 + math.exp((days_ago - 24) / 5))


def _leaving(
    rng: random.Random, plan: Plan, p: _Person, address: str, at: dt.datetime
) -> consent_services.PastEvent:
    """How a person leaves after a message: mostly the message's topic, through its one-click
    link; some leave the channel or everything on the unsubscribe page."""
    event = consent_services.PastEvent
    if plan.channel == SMS:
        return event(p.pk, "stop", "sms_keyword", at, p.state, SMS, address=address)
    roll = rng.random()
    if roll < 0.70:
        return event(p.pk, "unsubscribe", "one_click", at, p.state, EMAIL, plan.topic)
    if roll < 0.85:
        return event(p.pk, "unsubscribe", "unsubscribe_page", at, p.state, EMAIL, plan.topic)
    if roll < 0.96:
        return event(p.pk, "leave_channel", "unsubscribe_page", at, p.state, EMAIL)
    return event(p.pk, "do_not_contact", "unsubscribe_page", at, p.state)


def _send_mailing(
    rng: random.Random,
    number: int,
    plan: Plan,
    people: dict[int, _Person],
    universe_id: int,
    now: dt.datetime,
) -> tuple[int, list[consent_services.PastEvent]]:
    """Write one past mailing (the ``number``-th) with its sends and delivery events; returns
    how many were sent and the consent changes that came back."""
    sent_at = now - dt.timedelta(days=plan.days_ago)
    topic = consent_selectors.topic_get(plan.topic)
    assert topic is not None  # the default topics ship in a migration
    allowed = consent_selectors.reachable(
        people_selectors.universe_people({}), channel=plan.channel, topic=topic
    ).values_list("pk", flat=True)
    recipients = [
        people[pk]
        for pk in allowed
        if pk in people and people[pk].joined.get((plan.channel, plan.topic), now) <= sent_at
    ]
    address = "email" if plan.channel == EMAIL else "phone"
    # Drawn only for a test, so the other mailings' recipients are as they always were.
    seed = rng.getrandbits(62) if plan.variants else 0
    shares = [share for _label, _sender, _subject, share in plan.variants]
    sends: list[messaging_services.PastSend] = []
    churn: list[consent_services.PastEvent] = []
    pressure = _battleground_pressure(plan.days_ago)
    for i, p in enumerate(recipients):
        to = getattr(p, address)
        # A provider takes about an hour for a list this size.
        sent = sent_at + dt.timedelta(seconds=3600 * i / max(1, len(recipients)))
        later = sent + dt.timedelta(hours=min(120.0, rng.expovariate(1 / 14)))
        factor = pressure if p.battleground else 1.0
        variant = ""
        if plan.variants:
            variant = plan.variants[messaging_selectors.variant_draw(seed, p.pk, shares)][0]
            factor *= VARIANT_LEAVE[variant]
        roll = rng.random()
        kind = ""
        if plan.channel == EMAIL and rng.random() < BOUNCE_RATE:
            kind = "bounced"
            churn.append(
                consent_services.PastEvent(
                    p.pk, "bounce", "webhook:email", later, p.state, EMAIL, address=to
                )
            )
        elif roll < plan.complaint * factor:
            kind = "complained"
            churn.append(
                consent_services.PastEvent(
                    p.pk, "complaint", "webhook:email", later, p.state, EMAIL, address=to
                )
            )
        # Delivered: the demo's provider reports only what went wrong (a report per
        # delivered message would double the rows and change no figure on the page).
        elif roll < (plan.complaint + plan.leave) * factor:
            churn.append(_leaving(rng, plan, p, to, later))
        sends.append(
            messaging_services.PastSend(
                person_id=p.pk,
                address=to,
                sent_at=sent,
                provider_id=f"demo-{number}-{p.pk}",
                reported=(kind, later) if kind else None,
                variant=variant,
            )
        )
    messaging_services.mailing_history_record(
        actor=None,
        mailing=messaging_services.PastMailing(
            name=plan.name,
            channel=plan.channel,
            topic_key=plan.topic,
            universe_id=universe_id,
            subject=plan.subject,
            body=_BODY[plan.channel] + plan.name,
            created_at=sent_at - dt.timedelta(days=2),
            sent_at=sent_at,
            finished_at=sent_at + dt.timedelta(hours=1),
            audience_count=len(people),
            variants=tuple(
                messaging_services.VariantSpec(
                    label=label,
                    sender_name=sender,
                    subject=subject,
                    body=_BODY[plan.channel] + plan.name,
                    share=share,
                )
                for label, sender, subject, share in plan.variants
            ),
            variant_seed=seed,
        ),
        sends=sends,
    )
    return len(recipients), churn


def history_create(*, seed: int, donor_ids: list[int]) -> History:
    """Write the demo's consent and messaging history (see the module docstring); list
    health is counted now, so that its first visitor does not wait."""
    rng = random.Random(f"messaging-{seed}")
    now = timezone.now()
    battleground = set(settings.GROUNDGAME_BATTLEGROUND_STATES)
    rows: Any = people_selectors.universe_people({}).values_list(
        "pk", "email", "phone", "household__state"
    )
    people = {
        pk: _Person(pk, email, phone, state or "", (state or "") in battleground, {})
        for pk, email, phone, state in rows.order_by("pk")
    }
    universe = people_services.universe_save(
        actor=None, name="Everyone on file", filters={}, description="The whole demo campaign."
    )
    with transaction.atomic():
        joins = _subscriptions(rng, list(people.values()), set(donor_ids), now)
        consent_services.history_bulk_record(events=joins)
        sends = churn = 0
        pending: list[consent_services.PastEvent] = []
        for number, plan in enumerate(PLANS):
            # The changes that happened before this mailing went out narrow its audience;
            # later ones wait, so each is applied in the order it happened.
            sent_at = now - dt.timedelta(days=plan.days_ago)
            consent_services.history_bulk_record(events=[e for e in pending if e.at <= sent_at])
            pending = [e for e in pending if e.at > sent_at]
            sent, changes = _send_mailing(rng, number, plan, people, universe.pk, now)
            pending.extend(changes)
            sends += sent
            churn += len(changes)
        consent_services.history_bulk_record(events=pending)
    messaging_services.list_health_refresh()
    return History(subscriptions=len(joins), mailings=len(PLANS), sends=sends, churn=churn)
