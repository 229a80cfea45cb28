"""Every write of the events app, one module per role: events and shifts (``events``), RSVPs,
the wait list and attendance (``rsvps``), the emails and their tasks (``notices``), and
imports from other systems (``imports``). Other modules call them through this package."""

from groundgame.events.services.events import (
    ShiftSpec,
    event_cancel,
    event_clone,
    event_create,
    event_decide,
    event_propose,
    event_timezone_set,
    shift_add,
)
from groundgame.events.services.imports import event_import, rsvp_import, shift_import
from groundgame.events.services.notices import (
    REMINDER_LEAD,
    event_host_notice_send,
    rsvp_notice_send,
    shift_reminders_send,
)
from groundgame.events.services.rsvps import (
    CancelResult,
    RsvpResult,
    attendance_mark,
    event_roster_open,
    rsvp_cancel,
    rsvp_create,
    rsvp_wait,
)

__all__ = [
    "REMINDER_LEAD",
    "CancelResult",
    "RsvpResult",
    "ShiftSpec",
    "attendance_mark",
    "event_cancel",
    "event_clone",
    "event_create",
    "event_decide",
    "event_host_notice_send",
    "event_import",
    "event_propose",
    "event_roster_open",
    "event_timezone_set",
    "rsvp_cancel",
    "rsvp_create",
    "rsvp_import",
    "rsvp_notice_send",
    "rsvp_wait",
    "shift_add",
    "shift_import",
    "shift_reminders_send",
]
