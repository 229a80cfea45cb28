"""Stable error codes of the insights app (part of the API contract: add, never rename)."""

# A poll file as a whole: columns missing, not text, not CSV, too large.
POLL_FILE_COLUMNS = "poll_file_columns"
POLL_FILE_UNREADABLE = "poll_file_unreadable"
POLL_FILE_TOO_LARGE = "poll_file_too_large"
# One poll, entered by hand or through the API.
POLL_STATE_UNKNOWN = "poll_state_unknown"
POLL_PCT_INVALID = "poll_pct_invalid"
POLL_DATES_INVALID = "poll_dates_invalid"
POLL_POPULATION_INVALID = "poll_population_invalid"
POLL_FIELD_INVALID = "poll_field_invalid"
POLL_NOT_IN_SCOPE = "poll_not_in_scope"
POLL_IMPORT_NOT_FOUND = "poll_import_not_found"
# The average asked for a date or a place it cannot answer.
AVERAGE_DATE_INVALID = "average_date_invalid"
AVERAGE_STATE_UNKNOWN = "average_state_unknown"
