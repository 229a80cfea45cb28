"""Background jobs of the money app: load by id, call a service."""

from __future__ import annotations

from django_tasks import task

from groundgame.money import services


@task()
def best_efforts_send(request_id: int) -> None:
    services.best_efforts_send(request_id=request_id)


@task()
def volunteer_ask_send(ask_id: int) -> None:
    services.volunteer_ask_send(ask_id=ask_id)
