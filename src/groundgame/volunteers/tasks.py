"""Background work of the volunteers app: thin, each calls a service."""

from __future__ import annotations

from django_tasks import task

from groundgame.volunteers import services


@task()
def signup_pending_process() -> int:
    return services.signup_pending_drain()


@task()
def signup_confirmations_send(submission_ids: list[int]) -> int:
    return sum(services.signup_confirmation_send(submission_id=pk) for pk in submission_ids)
