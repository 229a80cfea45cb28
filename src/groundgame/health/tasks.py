from __future__ import annotations

from django_tasks import task

from groundgame.health import services


@task()
def headline_refresh() -> None:
    """Recount the dashboard's headline numbers (scheduled when a page finds them stale)."""
    services.headline_refresh()
