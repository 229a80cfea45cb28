"""Stable error codes of the money app. Never rename one; add a new one instead."""

from groundgame.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

CONTRIBUTION_INVALID = "contribution_invalid"
CONTRIBUTION_NOT_FOUND = "contribution_not_found"
CONTRIBUTION_CONFLICT = "contribution_conflict"
COMMITTEE_INVALID = "committee_invalid"
COMMITTEE_NOT_FOUND = "committee_not_found"
ELECTION_INVALID = "election_invalid"
ELECTION_NOT_FOUND = "election_not_found"
ADJUSTMENT_INVALID = "adjustment_invalid"
EXCESS_NOT_FOUND = "limit_excess_not_found"
EXCESS_INVALID = "limit_excess_invalid"
MONEY_DENIED = "money_denied"
DONOR_NOT_FOUND = "donor_not_found"

# Budget, commitments, disbursements and debts.
NOT_FINANCE = "money_not_finance"
BUDGET_LINE_INVALID = "budget_line_invalid"
COMMITMENT_NOT_FOUND = "commitment_not_found"
COMMITMENT_INVALID = "commitment_invalid"
COMMITMENT_CANCELLED = "commitment_cancelled"
VENDOR_INVALID = "vendor_invalid"
DISBURSEMENT_INVALID = "disbursement_invalid"
DISBURSEMENT_DUPLICATE = "disbursement_duplicate"
DISBURSEMENT_FILE_INVALID = "disbursement_file_invalid"
DEBT_NOT_FOUND = "debt_not_found"
DEBT_INVALID = "debt_invalid"
# The cash-flow forecast's settings and fundraising goals.
CASH_SETTINGS_INVALID = "cash_settings_invalid"
GOAL_INVALID = "fundraising_goal_invalid"
# FEC reports and appeals.
FEC_PERIOD_INVALID = "fec_period_invalid"
FEC_FILER_MISSING = "fec_filer_missing"
FEC_FILER_INVALID = "fec_filer_invalid"
FEC_COMMITTEE_NOT_FOUND = "fec_committee_not_found"
APPEAL_NOT_FOUND = "appeal_not_found"
APPEAL_INVALID = "appeal_invalid"
APPEAL_COST_INVALID = "appeal_cost_invalid"

__all__ = [
    "ADJUSTMENT_INVALID",
    "APPEAL_COST_INVALID",
    "APPEAL_INVALID",
    "APPEAL_NOT_FOUND",
    "BUDGET_LINE_INVALID",
    "CASH_SETTINGS_INVALID",
    "COMMITMENT_CANCELLED",
    "COMMITMENT_INVALID",
    "COMMITMENT_NOT_FOUND",
    "COMMITTEE_INVALID",
    "COMMITTEE_NOT_FOUND",
    "CONTRIBUTION_CONFLICT",
    "CONTRIBUTION_INVALID",
    "CONTRIBUTION_NOT_FOUND",
    "DEBT_INVALID",
    "DEBT_NOT_FOUND",
    "DISBURSEMENT_DUPLICATE",
    "DISBURSEMENT_FILE_INVALID",
    "DISBURSEMENT_INVALID",
    "DONOR_NOT_FOUND",
    "ELECTION_INVALID",
    "ELECTION_NOT_FOUND",
    "EXCESS_INVALID",
    "EXCESS_NOT_FOUND",
    "FEC_COMMITTEE_NOT_FOUND",
    "FEC_FILER_INVALID",
    "FEC_FILER_MISSING",
    "FEC_PERIOD_INVALID",
    "GOAL_INVALID",
    "MONEY_DENIED",
    "NOT_FINANCE",
    "VENDOR_INVALID",
    "Conflict",
    "NotFound",
    "PermissionDenied",
    "ValidationFailed",
]
