"""Background jobs of people: thin, each calls a service."""

from __future__ import annotations

from django_tasks import task

from groundgame.people.services import geocoding


@task()
def geocode_run(run_id: int) -> int:
    """Geocode a run's households; returns how many were looked up."""
    return geocoding.geocode_run_execute(run_id=run_id).done
