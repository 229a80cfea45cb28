"""Stable error codes of the field app: never rename one, add a new one instead.

The canvass sync answers each result with one of the row codes below; the codes of a whole
request (a body that is not a batch at all) come first.
"""

from groundgame.core.errors import ApplicationError

# A request to the canvass API as a whole.
WALK_LIST_NOT_FOUND = "walk_list_not_found"
WALK_LIST_CLOSED = "walk_list_closed"
WALK_LIST_EXPIRED = "walk_list_expired"
INVALID_JSON = "invalid_json"
BATCH_INVALID = "batch_invalid"
BATCH_TOO_LARGE = "batch_too_large"
PAYLOAD_TOO_LARGE = "payload_too_large"
CANVASS_SYNC_RATE_LIMITED = "canvass_sync_rate_limited"

# One result of a sync batch, rejected and kept for review.
CLIENT_ID_INVALID = "client_id_invalid"
RESULT_INVALID = "result_invalid"
OUTCOME_INVALID = "outcome_invalid"
SUPPORT_INVALID = "support_invalid"
# A result sending issues outside the answers (issues are the script's issues question).
ISSUE_UNKNOWN = "issue_unknown"
SURVEY_WITHOUT_CONVERSATION = "survey_without_conversation"
NOTES_TOO_LONG = "notes_too_long"
RECORDED_AT_INVALID = "recorded_at_invalid"
LOCATION_INVALID = "location_invalid"
DO_NOT_CONTACT_INVALID = "do_not_contact_invalid"
HOUSEHOLD_NOT_ON_LIST = "household_not_on_list"
PERSON_NOT_AT_HOUSEHOLD = "person_not_at_household"
# A closed or expired list takes what was recorded before it closed and rejects the rest
# with these (answered, not kept).
RECORDED_AFTER_CLOSE = "recorded_after_close"
RECORDED_AFTER_EXPIRY = "recorded_after_expiry"
# Answers to the script's questions: these, and the codes of the content app's answer check
# (answer_question_unknown, answer_invalid, answer_required) with the field answers.<key>.
ANSWERS_SCRIPT_UNKNOWN = "answers_script_unknown"

# Warnings on an accepted result: it landed, with this noted.
SCRIPT_VERSION_STALE = "script_version_stale"
SCRIPT_VERSION_UNKNOWN = "script_version_unknown"

# Staff review.
RESULT_NOT_FOUND = "canvass_result_not_found"
REVIEW_INVALID = "canvass_review_invalid"
REJECTION_NOT_FOUND = "sync_rejection_not_found"


class Gone(ApplicationError):
    """The walk list was closed or has expired: the app cannot download it any more."""

    code = WALK_LIST_CLOSED
    status = 410


class PayloadTooLarge(ApplicationError):
    code = PAYLOAD_TOO_LARGE
    status = 413


# Turf cutting, hand adjustments and walk lists.
TURF_TARGET_INVALID = "turf_target_invalid"
TURF_BOUNDARY_INVALID = "turf_boundary_invalid"
TURF_UNIVERSE_NOT_FOUND = "turf_universe_not_found"
TURF_UNIVERSE_EMPTY = "turf_universe_empty"
TURF_UNIVERSE_TOO_SMALL = "turf_universe_too_small"
TURF_ORG_UNIT_INVALID = "turf_org_unit_invalid"
TURF_NOT_FOUND = "turf_not_found"
TURF_STOPS_INVALID = "turf_stops_invalid"
TURF_WOULD_BE_EMPTY = "turf_would_be_empty"
TURF_HAS_WALK_LISTS = "turf_has_walk_lists"
TURF_TOO_SMALL_TO_SPLIT = "turf_too_small_to_split"
WALK_LIST_SHIFT_INVALID = "walk_list_shift_invalid"
WALK_LIST_CANVASSER_INVALID = "walk_list_canvasser_invalid"
WALK_LIST_SCRIPT_INVALID = "walk_list_script_invalid"
