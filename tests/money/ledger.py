"""Gifts to a House committee for the report and appeal tests, with the addresses Schedule A
needs, written as plain rows (the intake is tested on its own)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from groundgame.money.models import Contribution, Election
from tests.money.spending import receipts

_ids = itertools.count(1)


def gift(
    *,
    person_id: int,
    cents: int,
    day: dt.date,
    name: tuple[str, str] = ("Ada", "Byron"),
    employer: str = "",
    earmarked: bool = True,
    refcode: str = "",
) -> Contribution:
    n = next(_ids)
    return Contribution.objects.create(
        line_item_id=f"fec-{n}",
        order_number=f"fec-order-{n}",
        committee=receipts.committee(),
        election=Election.objects.get(cycle=2026, kind=Election.Kind.GENERAL),
        person_id=person_id,
        amount_cents=cents,
        paid_at=timezone.make_aware(dt.datetime.combine(day, dt.time(12))),
        first_name=name[0],
        last_name=name[1],
        street="12 Elm St",
        city="Durham",
        state="NC",
        zip_code="27701",
        employer=employer,
        occupation="Teacher" if employer else "",
        earmarked=earmarked,
        refcode=refcode,
        source=Contribution.Source.MANUAL,
    )
