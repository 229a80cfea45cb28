"""Kernel tasks.

``ping`` does no work on purpose: it is the smallest job that still goes the whole way (a web
or shell process enqueues it through ``django_tasks``, the configured backend stores it, a
``groundgame worker`` runs it and the result comes back). The wiring tests use it to prove
that the embedded (database) and scale-out (Redis/RQ) backends really execute work in a
separate worker process, and an operator can use it the same way after a deployment::

    from groundgame.core.tasks import ping
    result = ping.enqueue("hello")   # then result.refresh(); result.return_value == "hello"

The liveness probe does not enqueue it: ``/healthz`` reads worker heartbeats, so that a probe
never adds jobs to a queue that may already be backed up.
"""

from __future__ import annotations

from django_tasks import task


@task()
def ping(value: str) -> str:
    """Return ``value`` unchanged."""
    return value
