"""The appeals page's reads: each appeal's kept return (``services.appeals`` computes them),
and the channels' returns added up from their appeals."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from groundgame.money.models import Appeal, AppealReturn

# The kept returns are recomputed when older than this, on the next visit to the page.
STALE_AFTER = dt.timedelta(minutes=5)
Z90 = 1.6449  # the 95th percentile of the normal: a 90% interval is the mean +- Z90 sd


@dataclass(frozen=True)
class ChannelReturn:
    """The appeals of one channel together. Their nets are independent, so the channel's
    net is normal with the sum of their variances, each read off its 90% interval."""

    channel: str
    appeals: int
    raised_cents: int
    donors: int
    cost_cents: int
    unsubscribes: int
    churn_cents: int
    net_cents: int
    net_low_cents: int
    net_high_cents: int
    loss_probability: float

    @property
    def roi(self) -> float | None:
        return self.net_cents / self.cost_cents if self.cost_cents else None


def appeal_return_list() -> tuple[list[AppealReturn], dt.datetime | None]:
    """The kept returns, flagged and newest first, and when they were computed; a refresh is
    scheduled when they are stale or an appeal has none yet."""
    rows = list(
        AppealReturn.objects.select_related("appeal").order_by(
            "-flagged", "-appeal__starts_on", "-appeal_id"
        )
    )
    computed = min((r.computed_at for r in rows), default=None)
    missing = Appeal.objects.filter(result__isnull=True).exists()
    if missing or (computed is not None and timezone.now() - computed > STALE_AFTER):
        from groundgame.money import tasks

        tasks.appeal_returns_refresh.enqueue()
    return rows, computed


def channel_returns(rows: list[AppealReturn]) -> list[ChannelReturn]:
    grouped: dict[str, list[AppealReturn]] = defaultdict(list)
    for row in rows:
        grouped[row.appeal.channel].append(row)
    found = []
    for channel, items in sorted(grouped.items()):
        net = sum(r.raised_cents - r.cost_cents - r.churn_cents for r in items)
        sd = math.sqrt(sum(((r.net_high_cents - r.net_low_cents) / (2 * Z90)) ** 2 for r in items))
        loss = 0.5 * math.erfc(net / (sd * math.sqrt(2))) if sd else float(net < 0)
        found.append(
            ChannelReturn(
                channel=channel,
                appeals=len(items),
                raised_cents=sum(r.raised_cents for r in items),
                donors=sum(r.donors for r in items),
                cost_cents=sum(r.cost_cents for r in items),
                unsubscribes=sum(r.unsubscribes for r in items),
                churn_cents=sum(r.churn_cents for r in items),
                net_cents=net,
                net_low_cents=round(net - Z90 * sd),
                net_high_cents=round(net + Z90 * sd),
                loss_probability=loss,
            )
        )
    return found
