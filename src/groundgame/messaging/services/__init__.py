"""Every write of messaging, one module per domain: mailings from draft to sent, test sends
and past mailings recorded in bulk (``mailings``), the outbox's senders, one-off messages,
delivery events and inbound texts, which change consent (``delivery``). Other apps call
them through this package. The caps every mailing follows are consent's
(``consent.services.contact_cap_set``)."""

from groundgame.messaging.services.delivery import (
    EventOutcome,
    Report,
    default_backends,
    delivery_event_record,
    delivery_events_record,
    inbound_text_receive,
    mailing_channel,
    mailings_close,
    message_send,
    outbox_count,
    outbox_next_opening,
    outbox_waiting,
    sends_deliver,
)
from groundgame.messaging.services.mailings import (
    MAX_SMS_CHARS,
    PastMailing,
    PastSend,
    list_health_refresh,
    mailing_cancel,
    mailing_create,
    mailing_fan_out,
    mailing_history_record,
    mailing_schedule,
    mailing_test_send,
    mailing_update,
    test_address_checked,
)

__all__ = [
    "MAX_SMS_CHARS",
    "EventOutcome",
    "PastMailing",
    "PastSend",
    "Report",
    "default_backends",
    "delivery_event_record",
    "delivery_events_record",
    "inbound_text_receive",
    "list_health_refresh",
    "mailing_cancel",
    "mailing_channel",
    "mailing_create",
    "mailing_fan_out",
    "mailing_history_record",
    "mailing_schedule",
    "mailing_test_send",
    "mailing_update",
    "mailings_close",
    "message_send",
    "outbox_count",
    "outbox_next_opening",
    "outbox_waiting",
    "sends_deliver",
    "test_address_checked",
]
