"""Token buckets per key, shared by every web process through the shared cache.

A sign-up must not pay a cache round trip: under a launch-day surge that round trip costs
more than the sign-up's own insert. So each process decides from its own view of the
buckets, under a lock, and sends what it took to the shared cache at most every
``SYNC_SECONDS``, in one round trip for all the keys it touched; the answer (the shared
tokens left, every process's takes counted) becomes its new view.

Within one process the buckets are exact. Across processes they may let through more than a
bucket holds for one sync interval: each process spends its own view of the tokens before it
learns of the others' takes. The shared bucket then goes into debt (down to minus its burst),
which every process sees at its next sync and refuses until it is paid back, so a flood
spread over processes still ends within one interval. On Redis the shared update is a script,
atomic; on the other backends (the database cache, memory) it is a read and a write, and two
processes syncing at once may each count from the same tokens; for turning away floods that
slack does not matter.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver

from groundgame.core.shared_cache import redis_client

# How stale a process's view of the shared buckets may get while it is taking tokens.
SYNC_SECONDS = 0.05


@dataclass(frozen=True)
class Limit:
    """``rate`` tokens per second refill a bucket of ``burst`` tokens."""

    rate: float
    burst: float


@dataclass
class _Bucket:
    limit: Limit
    tokens: float  # left, as this process counts them
    stamp: float  # when they were counted
    taken: int = 0  # taken here and not yet sent to the shared cache

    def level(self, now: float) -> float:
        return min(self.limit.burst, self.tokens + max(0.0, now - self.stamp) * self.limit.rate)


# KEYS are the buckets; ARGV is now, then rate, burst and the tokens taken for each bucket. A
# bucket is a hash of its tokens and the time they were counted. Takes the tokens (down to
# minus the burst: the debt a flood runs up before every process has heard of it) and returns
# what each bucket has left, as strings.
_SYNC_SCRIPT = """
local now = tonumber(ARGV[1])
local left = {}
for i, key in ipairs(KEYS) do
  local rate, burst = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local taken = tonumber(ARGV[3 * i + 1])
  local state = redis.call('HMGET', key, 't', 's')
  local tokens, stamp = tonumber(state[1]) or burst, tonumber(state[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - stamp) * rate)
  tokens = math.max(-burst, tokens - taken)
  redis.call('HSET', key, 't', tostring(tokens), 's', ARGV[1])
  redis.call('EXPIRE', key, math.max(1, math.ceil(2 * burst / rate)))
  left[i] = tostring(tokens)
end
return left
"""

_script: Any = None


def _sync_script() -> Any:
    """The sync script bound to the shared cache's Redis, or None if the cache is not Redis."""
    global _script
    client = redis_client()
    if client is None:
        return None
    if _script is None or _script.registered_client is not client:
        _script = client.register_script(_SYNC_SCRIPT)
    return _script


class _View:
    """This process's buckets: every thread of the process takes from the same ones."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.buckets: dict[str, _Bucket] = {}
        self.synced_at = -math.inf

    def take(self, buckets: dict[str, Limit], now: float) -> tuple[float, dict[str, _Bucket]]:
        """Take one token from each bucket: the wait (0.0 if all allowed; then nothing is
        taken) and, when a sync is due, the buckets to send, their takes moved out."""
        with self.lock:
            wait = 0.0
            for key, limit in buckets.items():
                bucket = self.buckets.get(key)
                if bucket is None or bucket.limit != limit:
                    bucket = self.buckets[key] = _Bucket(limit, limit.burst, now)
                tokens = bucket.level(now)
                if tokens < 1.0:
                    wait = max(wait, (1.0 - tokens) / limit.rate)
            if not wait:
                for key in buckets:
                    bucket = self.buckets[key]
                    bucket.tokens, bucket.stamp = bucket.level(now) - 1.0, now
                    bucket.taken += 1
            if now - self.synced_at < SYNC_SECONDS:
                return wait, {}
            self.synced_at = now
            return wait, self._collect(now)

    def _collect(self, now: float) -> dict[str, _Bucket]:
        """The buckets with takes to send, as copies; the others are forgotten once full."""
        due: dict[str, _Bucket] = {}
        for key, bucket in list(self.buckets.items()):
            if bucket.taken:
                due[key] = _Bucket(bucket.limit, bucket.tokens, bucket.stamp, bucket.taken)
                bucket.taken = 0
            elif bucket.level(now) >= bucket.limit.burst:
                del self.buckets[key]
        return due

    def learn(self, shared: dict[str, float], now: float) -> None:
        """The shared tokens left after a sync, less what was taken here since it began."""
        with self.lock:
            for key, tokens in shared.items():
                bucket = self.buckets.get(key)
                if bucket is not None:
                    bucket.tokens, bucket.stamp = tokens - bucket.taken, now


_view = _View()


@receiver(setting_changed)
def _caches_changed(*, setting: str, **kwargs: Any) -> None:
    # A new shared cache (a test's own) starts with full buckets; so does this process.
    global _view
    if setting == "CACHES":
        _view = _View()


def take(buckets: dict[str, Limit], *, now: float | None = None) -> float:
    """Take one token from each bucket: 0.0 if all allowed, else the longest wait in seconds
    (and nothing is taken). No round trip, except for the request that finds a sync due."""
    now = time.time() if now is None else now
    view = _view
    wait, due = view.take(buckets, now)
    if due:
        view.learn(_send(due, now), now)
    return wait


def sync(*, now: float | None = None) -> None:
    """Send this process's takes to the shared cache now, whenever the last sync was."""
    now = time.time() if now is None else now
    view = _view
    with view.lock:
        view.synced_at = now
        due = view._collect(now)
    if due:
        view.learn(_send(due, now), now)


def _send(due: dict[str, _Bucket], now: float) -> dict[str, float]:
    """Take ``due``'s tokens from the shared buckets; the tokens left in each."""
    keys = {cache.make_key(f"ratelimit:{key}"): key for key in due}
    script = _sync_script()
    if script is not None:
        args: list[float] = [now]
        for bucket in due.values():
            args += [bucket.limit.rate, bucket.limit.burst, bucket.taken]
        left = script(keys=list(keys), args=args)
        return {key: float(tokens) for key, tokens in zip(due, left, strict=True)}
    return _send_generic(due, now)


def _send_generic(due: dict[str, _Bucket], now: float) -> dict[str, float]:
    stored = cache.get_many([f"ratelimit:{key}" for key in due])
    left: dict[str, float] = {}
    for key, bucket in due.items():
        limit = bucket.limit
        tokens, stamp = stored.get(f"ratelimit:{key}") or (limit.burst, now)
        tokens = min(limit.burst, tokens + max(0.0, now - stamp) * limit.rate)
        left[key] = max(-limit.burst, tokens - bucket.taken)
    # Kept as long as a bucket takes to pay off the deepest debt and refill: an idle client
    # leaves no key.
    ttl = max(max(1, math.ceil(2 * b.limit.burst / b.limit.rate)) for b in due.values())
    cache.set_many({f"ratelimit:{key}": (tokens, now) for key, tokens in left.items()}, ttl)
    return left
