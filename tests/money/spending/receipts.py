"""Receipts for the spending tests: gifts and refunds put straight into the ledger's tables.

The ledger's intake (webhook, CSV) is tested on its own; here only the amounts and their
days matter, so they are written as plain rows.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from groundgame.money.models import Adjustment, Committee, Contribution, Election

_ids = itertools.count(1)


def committee() -> Committee:
    found = Committee.objects.filter(fec_id="C00000042").first()
    if found is not None:
        return found
    Election.objects.get_or_create(cycle=2026, kind=Election.Kind.GENERAL, day=dt.date(2026, 11, 3))
    return Committee.objects.create(
        name="Friends of the Test", fec_id="C00000042", kind=Committee.Kind.HOUSE
    )


def gift(*, person_id: int, cents: int, day: dt.date) -> Contribution:
    n = next(_ids)
    return Contribution.objects.create(
        line_item_id=f"test-{n}",
        order_number=f"order-{n}",
        committee=committee(),
        election=Election.objects.get(cycle=2026, kind=Election.Kind.GENERAL),
        person_id=person_id,
        amount_cents=cents,
        paid_at=timezone.make_aware(dt.datetime.combine(day, dt.time(12))),
        first_name="Test",
        last_name="Donor",
        source=Contribution.Source.MANUAL,
    )


def refund(*, of: Contribution, cents: int, day: dt.date) -> Adjustment:
    return Adjustment.objects.create(
        contribution=of,
        kind=Adjustment.Kind.REFUND,
        external_id=f"refund-{next(_ids)}",
        amount_cents=cents,
        at=timezone.make_aware(dt.datetime.combine(day, dt.time(13))),
        source=Contribution.Source.MANUAL,
    )
