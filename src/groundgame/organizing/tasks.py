"""Background work of the organizing app: thin, each loads by id and calls a service."""

from __future__ import annotations

from django_tasks import task

from groundgame.organizing import services


@task()
def signup_confirmation_send(submission_id: int) -> bool:
    return services.signup_confirmation_send(submission_id=submission_id)
