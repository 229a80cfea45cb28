"""The dashboard's headline numbers, kept as a snapshot.

Counting a state's vote history takes seconds on a large file, too long for a page. The
numbers are computed once and kept in the shared cache with the time they were taken; a page
older than ``STALE_AFTER`` is still shown at once while a worker recomputes it in the
background, so no visitor waits for the count and the page says how fresh it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from groundgame.health import selectors

STALE_AFTER = dt.timedelta(seconds=60)
_KEY = "health:headline:v2"
_REFRESHING = "health:headline:refreshing"


@dataclass(frozen=True)
class HeadlineSnapshot:
    headline: selectors.Headline
    computed_at: dt.datetime


def headline_refresh() -> HeadlineSnapshot:
    """Count everything now and keep the result."""
    snapshot = HeadlineSnapshot(headline=selectors.headline(), computed_at=timezone.now())
    cache.set(_KEY, snapshot, timeout=None)
    cache.delete(_REFRESHING)
    return snapshot


def headline_snapshot() -> HeadlineSnapshot:
    """The kept numbers; computed here the first time, refreshed by a worker when stale."""
    snapshot: HeadlineSnapshot | None = cache.get(_KEY)
    if snapshot is None:
        return headline_refresh()
    # cache.add is atomic: of many pages seeing the snapshot stale, one schedules the refresh.
    if timezone.now() - snapshot.computed_at > STALE_AFTER and cache.add(
        _REFRESHING, True, timeout=300
    ):
        from groundgame.health import tasks

        tasks.headline_refresh.enqueue()
    return snapshot
