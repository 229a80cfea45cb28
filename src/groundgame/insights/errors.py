"""Stable error codes of the insights app (part of the API contract: add, never rename)."""

# Turnout and results
DATA_NOT_FOUND = "election_data_not_found"
EARLY_VOTES_INVALID = "early_votes_invalid"
EARLY_VOTES_NOT_IN_SCOPE = "early_votes_not_in_scope"
TURNOUT_GOAL_INVALID = "turnout_goal_invalid"
RESULTS_QUERY_INVALID = "results_query_invalid"
