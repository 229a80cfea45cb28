"""The RQ worker ``groundgame worker`` runs on the scale-out deployment.

RQ's warm shutdown sends UNSUBSCRIBE on its command channel and then stops the thread that
listens on it, and redis-py's ``stop()`` waits for that thread to end. When the UNSUBSCRIBE
reply arrives before the thread is told to stop, the thread goes back to waiting for the
next message (RQ waits up to a minute), and a SIGTERM takes that long to end the worker: a
process manager kills it first. Telling the thread to stop before the UNSUBSCRIBE makes the
reply the message that ends its wait.
"""

from __future__ import annotations

from redis.client import PubSubWorkerThread
from rq import Worker as RQWorker


class Worker(RQWorker):
    def unsubscribe(self) -> None:
        # RQ declares the thread as never absent; it is None until the worker subscribes.
        thread: PubSubWorkerThread | None = self.pubsub_thread
        if thread is not None:
            thread.stop(timeout=0)  # clear its running flag; do not wait here
        super().unsubscribe()  # type: ignore[no-untyped-call]  # rq leaves it unannotated
