"""Stable error codes of the consent app (part of the API contract: add, never rename)."""

TOPIC_UNKNOWN = "topic_unknown"
TOPIC_EXISTS = "topic_exists"
CHANNEL_UNKNOWN = "channel_unknown"
PERSON_NOT_FOUND = "person_not_found"
LINK_INVALID = "unsubscribe_link_invalid"
REASON_REQUIRED = "reason_required"
TOPIC_DENIED = "topic_denied"
