"""Fault injection: the fan-out dies half-way through writing a mailing's outbox.

The fan-out is one transaction, so a worker that dies mid-way leaves no send behind and the
mailing still scheduled; the next run queues each person once, and running it again after
that queues nothing more. The outbox is written in small batches here so that the death
falls between two of them (on PostgreSQL, between two COPYs while the audience is still
being read from its server-side cursor).
"""

from __future__ import annotations

import pytest

from groundgame.consent import services as consent
from groundgame.messaging import fanout
from groundgame.messaging import services as messaging
from groundgame.messaging.models import Mailing, Send
from groundgame.messaging.services import mailings
from groundgame.people import services as people

# Committed rows, as a worker would leave them; the topics of the data migrations are put
# back after each test's flush.
pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIBERS = 120
BATCH = 25


class WorkerDied(Exception):
    """The worker process dying in the middle of the fan-out."""


class DyingProgress:
    """The fan-out's progress report, which kills the worker after ``batches`` batches."""

    def __init__(self, batches: int) -> None:
        self.batches = batches
        self.reported: list[int] = []

    def set(self, key: str, value: int, timeout: int) -> None:
        self.reported.append(value)
        if len(self.reported) == self.batches:
            raise WorkerDied


def scheduled_mailing() -> Mailing:
    for n in range(SUBSCRIBERS):
        person = people.person_create(
            actor=None, first_name=f"Sol{n}", last_name="Subscriber", email=f"sol{n}@example.org"
        )
        consent.subscription_join(
            person_id=person.pk, channel="email", topic_keys=["events"], source="test"
        )
    # Someone who left: never queued, before or after the crash.
    consent.subscription_leave(
        person_id=person.pk, channel="email", topic_keys=["events"], source="test"
    )
    universe = people.universe_save(actor=None, name="Everyone", filters={})
    mailing = messaging.mailing_create(
        actor=None,
        name="Rally",
        channel="email",
        topic_key="events",
        universe_id=universe.pk,
        subject="Rally on Friday",
        body="{{ first_name }}, see you Friday?",
    )
    messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
    return mailing


def test_a_fan_out_that_dies_half_way_leaves_nothing_and_a_rerun_queues_each_person_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mailing = scheduled_mailing()
    monkeypatch.setattr(fanout, "BATCH", BATCH)
    dying = DyingProgress(batches=3)
    monkeypatch.setattr(mailings, "cache", dying)

    with pytest.raises(WorkerDied):
        messaging.mailing_fan_out(mailing_id=mailing.pk)

    # It died after writing three batches of the outbox: none of them is left.
    assert dying.reported == [BATCH, 2 * BATCH, 3 * BATCH]
    assert not Send.objects.filter(mailing=mailing).exists()
    left = Mailing.objects.get(pk=mailing.pk)
    assert left.status == Mailing.Status.SCHEDULED
    assert left.queued_count is None

    monkeypatch.setattr(mailings, "cache", DyingProgress(batches=0))
    result = messaging.mailing_fan_out(mailing_id=mailing.pk)
    assert result is not None
    assert (result.audience, result.suppressed, result.queued) == (SUBSCRIBERS, 1, SUBSCRIBERS - 1)
    queued = list(Send.objects.filter(mailing=mailing).values_list("person_id", flat=True))
    assert len(queued) == len(set(queued)) == SUBSCRIBERS - 1

    # Again (a task delivered twice, a staff member's second click): nothing more is queued.
    assert messaging.mailing_fan_out(mailing_id=mailing.pk) is None
    assert Send.objects.filter(mailing=mailing).count() == SUBSCRIBERS - 1
    done = Mailing.objects.get(pk=mailing.pk)
    assert (done.status, done.queued_count) == (Mailing.Status.SENDING, SUBSCRIBERS - 1)
