"""A quarter of fundraising for the synthetic campaign: ActBlue-shaped gifts recorded through
the money app's services, as the webhook's worker records them. Most come from the synthetic
donors (people outside the swing states), some from volunteers; a share give monthly, a few
are refunded or charged back, a few give past the per-election limit, and some give past $200
without their employer, so that every money page has something to show on the first run."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeGuard

from groundgame.money import services as money
from groundgame.people import selectors as people_selectors

# The quarter before the election (midnight in the East, July 1 to September 30), which
# the FEC's October quarterly reports.
QUARTER_START = dt.datetime(2024, 7, 1, 4, tzinfo=dt.UTC)
QUARTER_DAYS = 92
ENTITY_ID = 100_024
# Appeals' refcodes with their shares of the gifts: email and texts, ads, events.
REFCODES = {
    "em-0722-launch": 0.22,
    "em-0815-convention": 0.18,
    "em-0930-deadline": 0.14,
    "sms-0805-match": 0.12,
    "ads-fb-0801": 0.1,
    "ads-tv-0901": 0.08,
    "events-0910-rally": 0.06,
    "": 0.1,
}
AMOUNTS = ["5.00", "10.00", "19.00", "25.00", "27.00", "50.00", "100.00", "250.00", "500.00"]
JOBS = [("Durham Public Schools", "Teacher"), ("Self", "Nurse"), ("Acme Co", "Engineer")]


@dataclass(frozen=True)
class Fundraising:
    gifts: int
    recurring: int
    refunds: int
    over_limit: int


def fundraising_create(
    *, seed: int, donor_ids: Sequence[int], volunteer_ids: Sequence[int], gifts: int
) -> Fundraising:
    """The committee, its 2024 elections and ``gifts`` gifts over the quarter."""
    rng = random.Random(seed)
    committee = money.committee_create(
        actor=None,
        name="Synthetic for President",
        fec_id="C00900024",
        kind="presidential",
        actblue_entity_id=ENTITY_ID,
    )
    money.election_create(actor=None, cycle=2024, kind="primary", day=dt.date(2024, 3, 5))
    money.election_create(actor=None, cycle=2024, kind="general", day=dt.date(2024, 11, 5))
    givers = list(donor_ids) + list(volunteer_ids[: max(1, len(donor_ids) // 5)])
    if not givers:
        return Fundraising(0, 0, 0, 0)
    codes, weights = list(REFCODES), list(REFCODES.values())
    line = 7_000_000
    made = recurring = refunds = 0
    for n in range(gifts):
        person_id = rng.choice(givers)
        contact = people_selectors.person_contact(person_id)
        if not _reachable(contact):
            continue
        employer, occupation = rng.choice(JOBS) if rng.random() < 0.85 else ("", "")
        paid = QUARTER_START + dt.timedelta(minutes=rng.randrange(QUARTER_DAYS * 24 * 60))
        monthly = rng.random() < 0.12
        # A monthly gift repeats each month to the end of the quarter (September).
        installments = 10 - paid.month if monthly else 1
        amount = rng.choice(AMOUNTS[:6] if monthly else AMOUNTS)
        refcode = rng.choices(codes, weights=weights)[0]
        for k in range(installments):
            line += 1
            when = paid + dt.timedelta(days=30 * k)
            if when >= QUARTER_START + dt.timedelta(days=QUARTER_DAYS):
                break
            refund = None
            if rng.random() < 0.02:
                refund = money.AdjustmentSpec(
                    kind="chargeback" if rng.random() < 0.3 else "refund",
                    external_id=f"demo-refund:{line}",
                    amount_cents=int(amount.replace(".", "")),
                    at=when + dt.timedelta(days=rng.randint(1, 10)),
                )
            money.line_item_record(
                actor=None,
                gift=_gift(
                    line,
                    f"AB{7_000_000 + n}",
                    committee.pk,
                    amount,
                    when,
                    contact,
                    employer=employer,
                    occupation=occupation,
                    refcode=refcode,
                    monthly=monthly,
                    installment=k + 1,
                ),
                source="webhook",
                adjustment=refund,
            )
            made += 1
            recurring += monthly
            refunds += refund is not None
    # A few major donors give twice past the limit for the general election.
    over = 0
    for person_id in rng.sample(list(donor_ids), min(3, len(donor_ids))):
        contact = people_selectors.person_contact(person_id)
        if not _reachable(contact):
            continue
        for k in range(2):
            line += 1
            when = QUARTER_START + dt.timedelta(days=20 + 40 * k, hours=k)
            money.line_item_record(
                actor=None,
                gift=_gift(
                    line,
                    f"AB{8_000_000 + line}",
                    committee.pk,
                    "2000.00",
                    when,
                    contact,
                    employer="Self",
                    occupation="Attorney",
                    refcode="em-0815-convention",
                ),
                source="webhook",
            )
            made += 1
        over += 1
    return Fundraising(made, recurring, refunds, over)


def _reachable(
    contact: people_selectors.PersonContact | None,
) -> TypeGuard[people_selectors.PersonContact]:
    """A giver ActBlue would know by their email or phone, as it knows every donor: identity
    resolution finds them by it, and no gift makes a second person."""
    return contact is not None and bool(contact.last_name and (contact.email or contact.phone))


def _gift(
    line: int,
    order: str,
    committee_id: int,
    amount: str,
    when: dt.datetime,
    contact: people_selectors.PersonContact,
    *,
    employer: str = "",
    occupation: str = "",
    refcode: str = "",
    monthly: bool = False,
    installment: int = 1,
) -> money.GiftSpec:
    return money.GiftSpec(
        line_item_id=str(line),
        order_number=order,
        committee_id=committee_id,
        amount_cents=int(amount.replace(".", "")),
        paid_at=when,
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        phone=contact.phone,
        city=contact.city,
        state=contact.state,
        zip_code=contact.zip5,
        employer=employer,
        occupation=occupation,
        refcode=refcode,
        form_name="synthetic-main",
        recurring_period="monthly" if monthly else "",
        installment=installment if monthly else None,
    )
