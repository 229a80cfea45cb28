from __future__ import annotations

from django_tasks import task

from groundgame.messaging import list_health


@task()
def refresh_list_health() -> None:
    """Recount list health (scheduled when a page finds the kept reading stale)."""
    list_health.list_health_refresh()
