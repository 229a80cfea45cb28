"""Keeping to a provider's rate: a token bucket that waits before a message goes out.

One sender process per channel holds the bucket (the send task takes a lock per channel),
so the rate is the provider's, not a multiple of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

_ROUNDING = 1e-9


class TokenBucket:
    def __init__(
        self,
        *,
        per_second: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.rate = per_second
        self.capacity = burst if burst is not None else max(1.0, per_second)
        self.tokens = self.capacity
        self._clock = clock
        self._sleep = sleep
        self._last = clock()

    def take(self, amount: float = 1.0) -> float:
        """Wait until ``amount`` tokens are there and take them; returns the seconds waited.
        A message larger than the bucket waits for a full bucket, then goes."""
        waited = 0.0
        amount = min(amount, self.capacity)
        while True:
            now = self._clock()
            self.tokens = min(self.capacity, self.tokens + (now - self._last) * self.rate)
            self._last = now
            # After a wait of exactly the shortfall the refill can land a rounding error
            # short of ``amount``; a wait for that would be too short to move the clock.
            if self.tokens >= amount - _ROUNDING:
                self.tokens = max(0.0, self.tokens - amount)
                return waited
            pause = (amount - self.tokens) / self.rate
            self._sleep(pause)
            waited += pause
