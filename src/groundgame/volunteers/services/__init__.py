"""Every write of the volunteers app, one module per role: sign-up forms (``forms``), taking
a sign-up (``signups``), finishing it in a worker (``processing``), the follow-up queue
(``follow_ups``) and memberships in teams (``memberships``). Other modules call them through
this package."""

from groundgame.volunteers.services.follow_ups import (
    FINAL_OUTCOMES,
    call_back_suggestion,
    follow_up_attempt_record,
    follow_up_queue_open,
    follow_up_reopen,
)
from groundgame.volunteers.services.forms import (
    signup_form_clone,
    signup_form_close,
    signup_form_create,
    signup_form_publish,
    signup_form_update,
)
from groundgame.volunteers.services.memberships import membership_bulk_create
from groundgame.volunteers.services.processing import (
    signup_confirmation_send,
    signup_pending_drain,
    signup_pending_process,
    signup_pending_sweep,
    signup_processing_schedule,
    signup_share_path,
)
from groundgame.volunteers.services.signups import signup_submit

__all__ = [
    "FINAL_OUTCOMES",
    "call_back_suggestion",
    "follow_up_attempt_record",
    "follow_up_queue_open",
    "follow_up_reopen",
    "membership_bulk_create",
    "signup_confirmation_send",
    "signup_form_clone",
    "signup_form_close",
    "signup_form_create",
    "signup_form_publish",
    "signup_form_update",
    "signup_pending_drain",
    "signup_pending_process",
    "signup_pending_sweep",
    "signup_processing_schedule",
    "signup_share_path",
    "signup_submit",
]
