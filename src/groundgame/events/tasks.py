"""Background jobs of events: thin, each loads by id and calls a service."""

from __future__ import annotations

from django_tasks import task

from groundgame.events import services


@task()
def shift_reminders(shift_id: int) -> int:
    """Scheduled 24 hours before a shift starts; safe to run twice."""
    return services.shift_reminders_send(shift_id=shift_id)


@task()
def rsvp_notice(signup_id: int, notice: str) -> bool:
    return services.rsvp_notice_send(signup_id=signup_id, notice=notice)


@task()
def event_host_notice(event_id: int) -> bool:
    return services.event_host_notice_send(event_id=event_id)
