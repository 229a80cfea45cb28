"""The sender keeps to the provider's rate: a token bucket counted in carrier segments,
read on a fake clock (no test waits in real time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from groundgame.consent import services as consent
from groundgame.messaging import backends, sender
from groundgame.messaging.models import Send
from groundgame.messaging.throttle import TokenBucket
from groundgame.people import services as people
from tests.loopback import LoopbackSms

SEGMENTS_PER_MINUTE = 4500


class FakeClock:
    """Time that passes only when the bucket sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _bucket(clock: FakeClock, per_minute: float = SEGMENTS_PER_MINUTE, **kw: Any) -> TokenBucket:
    return TokenBucket(per_second=per_minute / 60, clock=clock, sleep=clock.sleep, **kw)


def test_a_two_segment_text_takes_two_tokens() -> None:
    clock = FakeClock()
    bucket = _bucket(clock)  # 75 segments a second, a second's worth in hand
    assert bucket.take(2) == 0
    assert bucket.tokens == pytest.approx(73)
    for _ in range(36):  # 72 more segments: still within the first second's allowance
        bucket.take(2)
    assert clock.now == 0
    # One token left: the next 2-segment text waits for the one it lacks, 1/75 s.
    assert bucket.take(2) == pytest.approx(1 / 75)
    assert clock.now == pytest.approx(1 / 75)


def test_a_minute_carries_the_registration_allowance_and_no_more() -> None:
    clock = FakeClock()
    bucket = _bucket(clock)
    sent = 0
    # Two-segment texts for one simulated minute.
    while True:
        bucket.take(2)
        if clock.now > 60:
            break
        sent += 2
    # 4,500 a minute plus the second's burst the bucket starts with.
    assert SEGMENTS_PER_MINUTE <= sent <= SEGMENTS_PER_MINUTE + 75


def test_time_that_passed_refills_but_never_beyond_the_burst() -> None:
    clock = FakeClock()
    bucket = _bucket(clock, burst=10)
    bucket.take(10)
    clock.now += 3600  # an idle hour
    bucket.take(0)
    assert bucket.tokens == 10


def test_a_text_larger_than_the_bucket_waits_for_a_full_bucket_then_goes() -> None:
    clock = FakeClock()
    bucket = _bucket(clock, per_minute=60, burst=3)  # one segment a second
    bucket.take(3)
    assert bucket.take(5) == pytest.approx(3)


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(per_second=0)


@pytest.mark.django_db(transaction=True)
def test_the_sender_pays_for_each_text_in_segments(
    sms: LoopbackSms, send_mailing: Callable[..., Any]
) -> None:
    for n in range(3):
        person = people.person_create(
            actor=None, first_name=f"P{n}", last_name="Test", phone=f"919555010{n}"
        )
        consent.subscription_join(
            person_id=person.pk, channel="sms", topic_keys=["volunteering"], source="signup"
        )
    clock = FakeClock()
    use = sender.Backends(
        email=backends.email_sender(),
        text=backends.text_sender(),
        email_rate=_bucket(clock),
        text_rate=_bucket(clock, per_minute=60, burst=2),  # one segment a second
    )
    # With the first text's name and opt-out words: 161-306 characters, two segments.
    body = "Early voting starts Thursday. " * 5

    tally = send_mailing("sms", "volunteering", body, use=use)

    assert tally.sent == 3
    assert list(Send.objects.values_list("segments", flat=True)) == [2, 2, 2]
    assert len(sms.messages) == 3
    # The first took the full bucket; each of the two others waited two seconds.
    assert clock.now == pytest.approx(4)
