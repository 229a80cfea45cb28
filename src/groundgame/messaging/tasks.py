"""Background jobs of messaging: thin, each calls a service."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from groundgame.core.errors import Conflict
from groundgame.messaging import list_health
from groundgame.messaging.models import MessageChannel
from groundgame.messaging.services import delivery, mailings

_RETRY_SECONDS = 60
# Delivery runs go ahead of other waiting jobs where the backend orders jobs by priority (the
# database backend): a run sends everything queued, so hundreds of notices queued at once
# (an event's RSVPs, a seed) would otherwise wait behind the jobs that queued them.
DELIVERY_PRIORITY = 50


def deliver_soon(channel: str) -> None:
    """Schedule a delivery run of the channel's outbox now."""
    task = sends_deliver
    if task.get_backend().supports_priority:
        task = task.using(priority=DELIVERY_PRIORITY)
    task.enqueue(channel)


@task()
def mailing_send(mailing_id: int) -> int:
    """At the scheduled time: fan the mailing out, then deliver it."""
    result = mailings.mailing_fan_out(mailing_id=mailing_id)
    if result is None:
        return 0
    deliver_soon(delivery.mailing_channel(mailing_id))
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
            _wake_at_next_opening(channel)
            return sent


def _wake_at_next_opening(channel: str) -> None:
    """Texts wait for their recipients' sending hours: a run is deferred to the first
    opening instead of looking again and again. Every run that finds them waiting would
    defer one, so the first to see an opening books it and the others leave it."""
    opening = delivery.outbox_next_opening(channel=channel)
    if opening is None or not sends_deliver.get_backend().supports_defer:
        return
    booked = f"messaging:sender-wake:{channel}:{opening.isoformat()}"
    ahead = (opening - timezone.now()).total_seconds()
    if cache.add(booked, "1", timeout=int(ahead) + 3600):
        sends_deliver.using(run_after=opening).enqueue(channel)


@task()
def list_health_refresh() -> None:
    """Recount list health (scheduled when a page finds the kept reading stale)."""
    list_health.list_health_refresh()
