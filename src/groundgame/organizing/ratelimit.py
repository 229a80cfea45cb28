"""A token bucket per key in the shared cache: every web process sees the same buckets.

The read-modify-write is not atomic across processes, so two racing requests may both take
the last token; for turning away floods that slack does not matter, and it keeps the check
to one cache read and one write for all buckets on every backend (Redis, the database cache,
memory).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    """``rate`` tokens per second refill a bucket of ``burst`` tokens."""

    rate: float
    burst: float


def take(buckets: dict[str, Limit], *, now: float | None = None) -> float:
    """Take one token from each bucket: 0.0 if all allowed, else the longest wait in seconds
    (and nothing is taken). All buckets are read in one cache round trip and written in one.
    """
    now = time.time() if now is None else now
    keys = {f"ratelimit:{key}": limit for key, limit in buckets.items()}
    stored = cache.get_many(list(keys))
    wait = 0.0
    left: dict[str, tuple[float, float]] = {}
    for cache_key, limit in keys.items():
        tokens, stamp = stored.get(cache_key) or (limit.burst, now)
        tokens = min(limit.burst, tokens + (now - stamp) * limit.rate)
        if tokens < 1.0:
            wait = max(wait, (1.0 - tokens) / limit.rate)
        left[cache_key] = (tokens - 1.0, now)
    if wait:
        return wait
    # Kept only as long as the slowest bucket takes to refill: an idle client leaves no key.
    ttl = max(max(1, math.ceil(limit.burst / limit.rate)) for limit in keys.values())
    cache.set_many(left, timeout=ttl)
    return 0.0


def intake_wait(*, client: str, form_slug: str) -> float:
    """Seconds a sign-up from ``client`` to ``form_slug`` must wait; 0.0 to go ahead.

    Per client address, so one script cannot flood a form; per form, so a surge the machine
    cannot absorb is turned away with a Retry-After instead of slowing every sign-up down.
    """
    per_client = Limit(
        rate=settings.GROUNDGAME_INTAKE_PER_CLIENT_PER_MINUTE / 60.0,
        burst=settings.GROUNDGAME_INTAKE_CLIENT_BURST,
    )
    per_form = Limit(
        rate=settings.GROUNDGAME_INTAKE_PER_FORM_PER_SECOND,
        burst=settings.GROUNDGAME_INTAKE_PER_FORM_PER_SECOND,
    )
    return take({f"intake:client:{client}": per_client, f"intake:form:{form_slug}": per_form})
