"""Properties of the rate limit buckets shared by web processes (``core.ratelimit``):
each process decides from its own view and syncs with the shared cache every
``SYNC_SECONDS``. Whatever the interleaving of requests over processes:

- one process is never more generous than a token bucket of its own;
- all processes together let through at most one bucket's worth, plus what each can take
  before its next sync shows it the others' takes;
- refused requests take nothing.

Processes are played by views of their own over one shared (in-memory) cache.
"""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from groundgame.core import ratelimit

LIMIT = ratelimit.Limit(rate=2.0, burst=5.0)
PROCESSES = 3

steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=PROCESSES - 1),  # the process the request reaches
        st.sampled_from([0.0, 0.001, 0.01, 0.03, 0.06, 0.2, 1.0]),  # seconds since the last
    ),
    min_size=1,
    max_size=120,
)


def _run(
    requests: list[tuple[int, float]],
    views: list[ratelimit._View] | None = None,
    key: str = "",
    start: float = 1_000_000.0,
) -> tuple[list[int], float]:
    """Each process's allowed requests, and the seconds the requests spanned. Each run has
    a bucket of its own in the test's cache, unless ``key`` names one."""
    views = views or [ratelimit._View() for _ in range(PROCESSES)]
    key = key or uuid.uuid4().hex
    allowed = [0] * PROCESSES
    now = started = start
    kept = ratelimit._view
    try:
        for process, gap in requests:
            now += gap
            ratelimit._view = views[process]
            if ratelimit.take({key: LIMIT}, now=now) == 0.0:
                allowed[process] += 1
    finally:
        ratelimit._view = kept
    return allowed, now - started


@settings(max_examples=300, deadline=None)
@given(steps)
def test_one_process_is_never_more_generous_than_a_bucket_of_its_own(
    requests: list[tuple[int, float]],
) -> None:
    allowed, seconds = _run(requests)
    for count in allowed:
        assert count <= LIMIT.burst + LIMIT.rate * seconds


@settings(max_examples=300, deadline=None)
@given(steps)
def test_all_processes_together_overdraw_one_bucket_by_at_most_a_sync_each(
    requests: list[tuple[int, float]],
) -> None:
    allowed, seconds = _run(requests)
    per_sync = LIMIT.burst + LIMIT.rate * ratelimit.SYNC_SECONDS
    assert sum(allowed) <= LIMIT.burst + LIMIT.rate * seconds + PROCESSES * per_sync


def test_a_flood_is_turned_away_by_every_process_once_each_has_synced() -> None:
    views = [ratelimit._View() for _ in range(PROCESSES)]
    flood = [(n % PROCESSES, 0.0) for n in range(60)]
    allowed, _ = _run(flood, views, key="flood")
    # Until its next sync a process spends what it last saw; never more than a burst each.
    assert LIMIT.burst <= sum(allowed) <= LIMIT.burst + PROCESSES * LIMIT.burst
    # One sync interval later each process's next request syncs and shows it the debt; from
    # then on every process refuses (the 0.1 token refilled meanwhile pays no request).
    later = 1_000_000.0 + ratelimit.SYNC_SECONDS
    _run([(p, 0.0) for p in range(PROCESSES)], views, key="flood", start=later)
    flood_again = [(n % PROCESSES, 0.0) for n in range(30)]
    refused, _ = _run(flood_again, views, key="flood", start=later)
    assert refused == [0] * PROCESSES
