"""Stable error codes of the content app (part of the API contract: add, never rename)."""

ITEM_NOT_FOUND = "content_not_found"
VERSION_NOT_FOUND = "content_version_not_found"
NOT_IN_SCOPE = "content_not_in_scope"
NOT_AN_APPROVER = "not_an_approver"
OWN_VERSION = "own_version"
WRONG_STATUS = "content_wrong_status"
DELEGATION_INVALID = "delegation_invalid"
QUESTION_INVALID = "question_invalid"
QUESTION_NOT_FOUND = "question_not_found"

# An answer given at the door, checked against the questions of the script version shown
# (the canvass sync answers a result with these).
ANSWER_QUESTION_UNKNOWN = "answer_question_unknown"
ANSWER_INVALID = "answer_invalid"
ANSWER_REQUIRED = "answer_required"
