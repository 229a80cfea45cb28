"""Background jobs of insights: thin, each calls a service."""

from __future__ import annotations

from django_tasks import task

from groundgame.insights import services


@task()
def poll_import_run(import_id: int) -> int:
    """Read a taken poll file; returns how many polls it held."""
    return services.poll_import_execute(import_id=import_id).polls
