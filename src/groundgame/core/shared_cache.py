"""Direct access to the Redis behind the shared cache, for the few hot paths that need a
command Django's cache API lacks (a script) or its per-call overhead shows.

Django's Redis cache builds a new client object for every call, which costs more than the
round trip itself at thousands of calls a second; this one is made once per process and
shared by its threads (its connection pool is thread-safe).
"""

from __future__ import annotations

import threading
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.dispatch import receiver

_lock = threading.Lock()
_client: Any = None


def redis_client() -> Any:
    """The default cache's Redis client, or None when the cache is not Redis."""
    global _client
    if _client is None:
        backend = caches["default"]
        if not isinstance(backend, RedisCache):
            return None
        with _lock:
            if _client is None:
                _client = backend._cache.get_client(write=True)
    return _client


@receiver(setting_changed)
def _caches_changed(*, setting: str, **kwargs: Any) -> None:
    global _client
    if setting == "CACHES":
        _client = None
