"""A mailing that tests variants, sent to a list of subscribers, built through the services
the mailing pages call."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from groundgame.consent import services as consent
from groundgame.messaging import services as messaging
from groundgame.people import services as people


@dataclass
class VariantMailing:
    mailing: Any
    people: list[Any]


def subscribers(unit: Any, count: int, *, prefix: str = "reader") -> list[Any]:
    """``count`` people of a unit subscribed to fundraising email."""
    made = []
    for n in range(count):
        person = people.person_create(
            actor=None,
            first_name=f"Reader{n}",
            last_name="Tested",
            email=f"{prefix}{n}@example.com",
            org_unit_id=unit.pk,
        )
        consent.subscription_join(
            person_id=person.pk, channel="email", topic_keys=["fundraising"], source="test"
        )
        made.append(person)
    return made


def variant_specs(shares: tuple[int, ...] = (50, 50)) -> list[messaging.VariantSpec]:
    labels = "ABCD"
    return [
        messaging.VariantSpec(
            label=labels[i],
            subject=f"Subject {labels[i]} for {{{{ first_name }}}}",
            body=f"Body {labels[i]}: chip in today.",
            sender_name=f"Sender {labels[i]}",
            share=share,
        )
        for i, share in enumerate(shares)
    ]


def variant_mailing(
    *,
    actor: Any,
    unit: Any,
    count: int = 40,
    shares: tuple[int, ...] = (50, 50),
    send: bool = True,
    prefix: str = "reader",
) -> VariantMailing:
    """A fundraising email to ``count`` subscribers of ``unit`` testing variants; sent (fanned
    out and delivered through the configured email backend) when ``send``."""
    readers = subscribers(unit, count, prefix=prefix)
    universe = people.universe_save(actor=actor, name=f"Readers {prefix}", filters={})
    mailing = messaging.mailing_create(
        actor=actor,
        name=f"Appeal {prefix}",
        channel="email",
        topic_key="fundraising",
        universe_id=universe.pk,
        subject="Chip in",
        body="Chip in today.",
    )
    messaging.mailing_variants_set(actor=actor, mailing_id=mailing.pk, specs=variant_specs(shares))
    if send:
        messaging.mailing_schedule(actor=actor, mailing_id=mailing.pk)
        messaging.mailing_fan_out(mailing_id=mailing.pk)
        messaging.sends_deliver(channel="email", mailing_id=mailing.pk)
    mailing.refresh_from_db()
    return VariantMailing(mailing, readers)
