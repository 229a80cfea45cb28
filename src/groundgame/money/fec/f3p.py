"""Form 3P, the report of a presidential committee, in the FEC's published 8.x electronic
format (206 columns). The FEC's JSON Schema for it is an unfinished starter, so the layout is
written out here from the format and its schema is built from the layout, in the same shape as
the FEC's schemas for Form 3: identity fields as bounded printable text, every line a number.

Column A is the reporting period, column B the election cycle to date; each ends with the
allocation of primary expenditures by state (and a total), which a committee not taking
matching funds leaves blank."""

from __future__ import annotations

from functools import cache
from typing import Any

FORM_TYPES = ("F3PN", "F3PA", "F3PT")

IDENTITY: tuple[tuple[str, int | None], ...] = (
    ("form_type", None),
    ("filer_committee_id_number", 9),
    ("committee_name", 200),
    ("change_of_address", None),
    ("street_1", 34),
    ("street_2", 34),
    ("city", 30),
    ("state", 2),
    ("zip", 9),
    ("activity_primary", None),
    ("activity_general", None),
    ("report_code", 3),
    ("election_code", 5),
    ("date_of_election", None),
    ("state_of_election", 2),
    ("coverage_from_date", None),
    ("coverage_through_date", None),
    ("treasurer_last_name", 30),
    ("treasurer_first_name", 20),
    ("treasurer_middle_name", 20),
    ("treasurer_prefix", 10),
    ("treasurer_suffix", 10),
    ("date_signed", None),
)
LENGTHS = {name: length for name, length in IDENTITY if length is not None}
DATES = ("date_of_election", "coverage_from_date", "coverage_through_date", "date_signed")
FLAGS = ("change_of_address", "activity_primary", "activity_general")

# Lines 6 to 15 are the summary page and exist only for the period.
SUMMARY_LINES = (
    "L6_cash_on_hand_beginning",
    "L7_total_receipts",
    "L8_subtotal",
    "L9_total_disbursements",
    "L10_cash_on_hand_close",
    "L11_debts_owed_to_committee",
    "L12_debts_owed_by_committee",
    "L13_expenditures_subject_to_limitation",
    "L14_net_contributions",
    "L15_net_operating_expenditures",
)
DETAIL_LINES = (
    "L16_federal_funds",
    "L17ai_individuals_itemized",
    "L17aii_individuals_unitemized",
    "L17aiii_individuals_total",
    "L17b_political_party_committees",
    "L17c_other_political_committees",
    "L17d_the_candidate",
    "L17e_total_contributions",
    "L18_transfers_from_authorized_committees",
    "L19a_loans_from_candidate",
    "L19b_other_loans",
    "L19c_total_loans",
    "L20a_offsets_operating",
    "L20b_offsets_fundraising",
    "L20c_offsets_legal_accounting",
    "L20d_total_offsets",
    "L21_other_receipts",
    "L22_total_receipts",
    "L23_operating_expenditures",
    "L24_transfers_to_authorized_committees",
    "L25_fundraising_disbursements",
    "L26_exempt_legal_accounting",
    "L27a_repayments_candidate_loans",
    "L27b_repayments_other_loans",
    "L27c_total_loan_repayments",
    "L28a_refunds_individuals",
    "L28b_refunds_party_committees",
    "L28c_refunds_other_committees",
    "L28d_total_refunds",
    "L29_other_disbursements",
    "L30_total_disbursements",
)
# Ordered as the form lists them: by the state's name (so DC follows Delaware), then the
# territories.
ALLOCATION_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "PR",
    "GU",
    "VI",
]


def _allocation(column: str) -> tuple[str, ...]:
    return (*(f"{column}_allocation_{s}" for s in ALLOCATION_STATES), f"{column}_allocation_total")


COLUMN_A = (
    *SUMMARY_LINES,
    *(f"{line}_period" for line in DETAIL_LINES),
    "L31_items_on_hand_to_be_liquidated",
    *_allocation("period"),
)
COLUMN_B = (*(f"{line}_cycle" for line in DETAIL_LINES), *_allocation("cycle"))
COLUMNS = (*(name for name, _ in IDENTITY), *COLUMN_A, *COLUMN_B)


@cache
def schema() -> dict[str, Any]:
    properties: dict[str, Any] = {"form_type": {"type": "string", "enum": list(FORM_TYPES)}}
    for name, length in IDENTITY[1:]:
        if name in DATES:
            properties[name] = {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
        elif name in FLAGS:
            properties[name] = {"type": "boolean"}
        else:
            properties[name] = {"type": "string", "pattern": f"^[ -~]{{0,{length}}}$"}
    properties["filer_committee_id_number"]["pattern"] = "^C[0-9]{8}$"
    properties["state"]["pattern"] = properties["state_of_election"]["pattern"] = "^[A-Z]{2}$"
    for name in (*COLUMN_A, *COLUMN_B):
        properties[name] = {"type": "number"}
    return {
        "$schema": "https://json-schema.org/draft-07/schema#",
        "title": "FEC F3P (8.x published format)",
        "type": "object",
        "required": [
            "form_type",
            "filer_committee_id_number",
            "committee_name",
            "coverage_from_date",
            "coverage_through_date",
            "treasurer_last_name",
            "treasurer_first_name",
            "date_signed",
            *SUMMARY_LINES,
            "L22_total_receipts_period",
            "L30_total_disbursements_period",
        ],
        "properties": properties,
        "additionalProperties": False,
    }
