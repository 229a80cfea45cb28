"""Group commit: whatever the number of threads and the items that fail, each thread gets its
own item's outcome, after the batch holding it was flushed, every item is flushed exactly once,
batches never overlap, and a failed batch leaves the next one a leader."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groundgame.core.group_commit import GroupCommit
from tests.helpers import run_together


class Refused(Exception):
    pass


class Store:
    """A flush that records its batches, refuses negative items alone, and may be slow (as a
    commit is) or fail whole."""

    def __init__(self, *, seconds: float = 0.0, fail_batches: int = 0) -> None:
        self.seconds = seconds
        self.fail_batches = fail_batches
        self.batches: list[list[int]] = []
        self.flushing = threading.Lock()
        self.overlapped = False

    def flush(self, items: list[int]) -> Sequence[int | BaseException]:
        if not self.flushing.acquire(blocking=False):
            self.overlapped = True
            self.flushing.acquire()
        try:
            time.sleep(self.seconds)
            self.batches.append(list(items))
            if len(self.batches) <= self.fail_batches:
                raise RuntimeError("the database went away")
            return [Refused(str(i)) if i < 0 else i * 10 for i in items]
        finally:
            self.flushing.release()


def submit_from_threads(
    group: GroupCommit[int, int], items: list[int]
) -> dict[int, int | BaseException]:
    outcomes: dict[int, int | BaseException] = {}

    def one(item: int) -> None:
        try:
            outcomes[item] = group.submit(item)
        except BaseException as exc:
            outcomes[item] = exc

    run_together([functools.partial(one, item) for item in items], seconds=10)
    return outcomes


@settings(max_examples=40, deadline=None)
@given(
    items=st.lists(st.integers(-50, 50), min_size=1, max_size=24, unique=True),
    seconds=st.sampled_from([0.0, 0.002]),
)
def test_each_thread_gets_its_own_outcome_and_each_item_is_flushed_once(
    items: list[int], seconds: float
) -> None:
    store = Store(seconds=seconds)
    outcomes = submit_from_threads(GroupCommit(store.flush), items)
    for item in items:
        if item < 0:
            assert isinstance(outcomes[item], Refused), "a refused item fails alone"
        else:
            assert outcomes[item] == item * 10
    flushed = [i for batch in store.batches for i in batch]
    assert sorted(flushed) == sorted(items)
    assert not store.overlapped


def test_writes_arriving_during_a_commit_go_together_in_the_next_batch() -> None:
    store = Store(seconds=0.05)
    outcomes = submit_from_threads(GroupCommit(store.flush), list(range(16)))
    assert outcomes == {i: i * 10 for i in range(16)}
    # The first thread commits alone; the 15 that came meanwhile share far fewer commits.
    assert len(store.batches) < 8
    assert max(len(b) for b in store.batches) > 1


def test_a_failed_batch_fails_its_threads_and_the_next_batch_still_gets_a_leader() -> None:
    store = Store(seconds=0.01, fail_batches=1)
    group: GroupCommit[int, int] = GroupCommit(store.flush)
    outcomes = submit_from_threads(group, list(range(8)))
    failed = [i for i, o in outcomes.items() if isinstance(o, RuntimeError)]
    assert failed == store.batches[0]
    assert all(outcomes[i] == i * 10 for i in outcomes if i not in failed)
    # Nothing is left holding the lead: a lone write later goes at once.
    assert group.submit(99) == 990


def test_a_flush_that_miscounts_its_outcomes_fails_the_batch() -> None:
    group: GroupCommit[int, int] = GroupCommit(lambda items: [])
    with pytest.raises(RuntimeError, match="0 outcomes for 1 items"):
        group.submit(1)


def test_an_outcome_that_is_an_error_is_raised_in_its_thread() -> None:
    with pytest.raises(Refused):
        GroupCommit[int, int](lambda items: [Refused("no")] * len(items)).submit(5)
