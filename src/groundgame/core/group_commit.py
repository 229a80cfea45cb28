"""Group commit: the writes that threads of one process make at the same moment go to the
database as one statement and one commit.

Under a launch-day surge every web thread is inserting a sign-up, and each single-row
commit costs the database a transaction and the thread a round trip. Here the first thread
to arrive leads: it takes every write waiting, makes them with ``flush`` on its own
connection and hands each waiting thread its outcome. The writes that arrive while it
commits wait for it, and one of them leads the next batch with all of them. No timer: a
lone write goes at once, and batches grow only as the load does.

Nothing is acknowledged before its batch has committed: ``submit`` returns only what
``flush`` returned for the item, after ``flush`` has returned.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


class _Slot(Generic[Item, Outcome]):
    """One waiting write: its item, then its outcome (a value or the error to raise)."""

    __slots__ = ("done", "error", "item", "leads", "value")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.done = threading.Event()
        self.leads = False  # set, with ``done``, when this thread is to lead the next batch
        self.value: Outcome | None = None
        self.error: BaseException | None = None

    def outcome(self) -> Outcome:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


class GroupCommit(Generic[Item, Outcome]):
    """Batches the items that threads ``submit`` at the same time into calls of ``flush``.

    ``flush(items)`` returns one outcome per item, in order: a value, or an exception for
    that item alone. If it raises, every item of the batch gets that error.
    """

    def __init__(self, flush: Callable[[list[Item]], Sequence[Outcome | BaseException]]) -> None:
        self._flush = flush
        self._lock = threading.Lock()
        self._waiting: list[_Slot[Item, Outcome]] = []
        self._leading = False  # a thread is flushing a batch, or about to

    def submit(self, item: Item) -> Outcome:
        """Write ``item`` in the next batch; its outcome once that batch has committed."""
        slot: _Slot[Item, Outcome] = _Slot(item)
        with self._lock:
            self._waiting.append(slot)
            leads = not self._leading
            self._leading = True
        if not leads:
            slot.done.wait()
            if not slot.leads:
                return slot.outcome()
        self._lead()
        return slot.outcome()

    def _lead(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting, []
        try:
            outcomes: Sequence[Outcome | BaseException] = self._flush([s.item for s in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"flush gave {len(outcomes)} outcomes for {len(batch)} items")
        except BaseException as exc:
            # Every thread of the batch gets the error, the leader included.
            outcomes = [exc] * len(batch)
        finally:
            # Whatever happened, the next batch gets a leader: a thread that raised out of
            # here must not leave the others waiting for ever.
            with self._lock:
                if self._waiting:
                    successor = self._waiting[0]
                    successor.leads = True
                    successor.done.set()
                else:
                    self._leading = False
        for slot, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                slot.error = outcome
            else:
                slot.value = outcome
            slot.done.set()
