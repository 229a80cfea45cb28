"""Background jobs of messaging: thin, each calls a service."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from groundgame.core.errors import Conflict
from groundgame.messaging import list_health
from groundgame.messaging.models import MessageChannel
from groundgame.messaging.services import delivery, mailings

_RETRY_SECONDS = 60


@task()
def mailing_send(mailing_id: int) -> int:
    """At the scheduled time: fan the mailing out, then deliver it."""
    result = mailings.mailing_fan_out(mailing_id=mailing_id)
    if result is None:
        return 0
    sends_deliver.enqueue(delivery.mailing_channel(mailing_id))
    return result.queued


@task()
def sends_deliver(channel: str) -> int:
    MessageChannel(channel)
    sent = 0
    while True:
        try:
            tally = delivery.sends_deliver(channel=channel)
        except Conflict:
            # Another sender is on this channel: it looks again after letting go (below),
            # so what was queued meanwhile is not left behind.
            return sent
        sent += tally.sent
        if tally.retried:
            # The provider is down or asked us to slow down: look again in a while rather
            # than in a loop (without a deferring backend, the next enqueue looks again).
            if sends_deliver.get_backend().supports_defer:
                later = timezone.now() + dt.timedelta(seconds=_RETRY_SECONDS)
                sends_deliver.using(run_after=later).enqueue(channel)
            return sent
        if not delivery.outbox_waiting(channel=channel):
            return sent


@task()
def list_health_refresh() -> None:
    """Recount list health (scheduled when a page finds the kept reading stale)."""
    list_health.list_health_refresh()
