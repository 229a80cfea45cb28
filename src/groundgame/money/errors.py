"""Stable error codes of the money app (part of the API contract: add, never rename)."""

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
