"""A token bucket per key in the shared cache: every web process sees the same buckets.

On Redis all buckets are checked and taken in one round trip by a script, atomically. On the
other backends (the database cache, memory) the read-modify-write takes one cache read and
one write and is not atomic across processes, so two racing requests may both take the last
token; for turning away floods that slack does not matter.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from groundgame.core.shared_cache import redis_client


@dataclass(frozen=True)
class Limit:
    """``rate`` tokens per second refill a bucket of ``burst`` tokens."""

    rate: float
    burst: float


# KEYS are the buckets; ARGV is now, then rate and burst for each bucket. A bucket is a hash
# of its tokens and the time they were counted. Returns "0" if every bucket gave a token,
# else the longest wait in seconds, and then nothing is taken.
_TAKE_SCRIPT = """
local now = tonumber(ARGV[1])
local wait, left, ttl = 0, {}, 1
for i, key in ipairs(KEYS) do
  local rate, burst = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', key, 't', 's')
  local tokens, stamp = tonumber(state[1]) or burst, tonumber(state[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
  if tokens < 1 then wait = math.max(wait, (1 - tokens) / rate) end
  left[i] = tokens - 1
  ttl = math.max(ttl, math.ceil(burst / rate))
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 't', tostring(left[i]), 's', ARGV[1])
  redis.call('EXPIRE', key, ttl)
end
return '0'
"""

_script: Any = None


def _take_script() -> Any:
    """The take script bound to the shared cache's Redis, or None if the cache is not Redis."""
    global _script
    client = redis_client()
    if client is None:
        return None
    if _script is None or _script.registered_client is not client:
        _script = client.register_script(_TAKE_SCRIPT)
    return _script


def take(buckets: dict[str, Limit], *, now: float | None = None) -> float:
    """Take one token from each bucket: 0.0 if all allowed, else the longest wait in seconds
    (and nothing is taken)."""
    now = time.time() if now is None else now
    keys = {cache.make_key(f"ratelimit:{key}"): limit for key, limit in buckets.items()}
    script = _take_script()
    if script is not None:
        args: list[float] = [now]
        for limit in keys.values():
            args += [limit.rate, limit.burst]
        return float(script(keys=list(keys), args=args))
    return _take_generic(buckets, now)


def _take_generic(buckets: dict[str, Limit], now: float) -> float:
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
