"""The summary and detailed summary pages of Forms 3 and 3P, from a committee's activity in
cents. Totals are derived here and nowhere else, so the report, the page and the checks add
up the same way: cash at the close is cash at the start plus receipts minus disbursements."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from groundgame.money.fec import f3p


@dataclass(frozen=True)
class Activity:
    """Receipts and disbursements over one span (a period, or the cycle to date), in cents."""

    individuals_itemized: int = 0
    individuals_unitemized: int = 0
    party_committees: int = 0
    other_committees: int = 0
    candidate: int = 0
    transfers_in: int = 0
    candidate_loans: int = 0
    other_loans: int = 0
    offsets: int = 0
    other_receipts: int = 0
    operating_expenditures: int = 0
    transfers_out: int = 0
    candidate_loan_repayments: int = 0
    other_loan_repayments: int = 0
    refunds_individuals: int = 0
    refunds_party_committees: int = 0
    refunds_other_committees: int = 0
    other_disbursements: int = 0

    def __add__(self, other: Activity) -> Activity:
        return Activity(
            **{
                f.name: getattr(self, f.name) + getattr(other, f.name)
                for f in dataclasses.fields(self)
            }
        )

    @property
    def individuals(self) -> int:
        return self.individuals_itemized + self.individuals_unitemized

    @property
    def contributions(self) -> int:
        return self.individuals + self.party_committees + self.other_committees + self.candidate

    @property
    def loans(self) -> int:
        return self.candidate_loans + self.other_loans

    @property
    def receipts(self) -> int:
        return (
            self.contributions + self.transfers_in + self.loans + self.offsets + self.other_receipts
        )

    @property
    def loan_repayments(self) -> int:
        return self.candidate_loan_repayments + self.other_loan_repayments

    @property
    def refunds(self) -> int:
        return (
            self.refunds_individuals + self.refunds_party_committees + self.refunds_other_committees
        )

    @property
    def disbursements(self) -> int:
        return (
            self.operating_expenditures
            + self.transfers_out
            + self.loan_repayments
            + self.refunds
            + self.other_disbursements
        )


@dataclass(frozen=True)
class Summary:
    period: Activity
    cycle: Activity
    opening_cash: int
    debts_owed_to: int = 0
    debts_owed_by: int = 0

    @property
    def closing_cash(self) -> int:
        return self.opening_cash + self.period.receipts - self.period.disbursements


def dollars(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def f3_lines(summary: Summary) -> dict[str, Any]:
    """Form 3's lines 6 to 27 (column A) and 6 to 22 (column B), as the FEC's schema names
    them."""
    lines: dict[str, int] = {}
    for span, activity in (("period", summary.period), ("ytd", summary.cycle)):
        lines |= {
            f"L6a_total_contributions_{span}": activity.contributions,
            f"L6b_total_contribution_refunds_{span}": activity.refunds,
            f"L6c_net_contributions_{span}": activity.contributions - activity.refunds,
            f"L7a_total_operating_expenditures_{span}": activity.operating_expenditures,
            f"L7b_total_offsets_to_operating_expenditures_{span}": activity.offsets,
            f"L7c_net_operating_expenditures_{span}": (
                activity.operating_expenditures - activity.offsets
            ),
            f"L11ai_individuals_itemized_{span}": activity.individuals_itemized,
            f"L11aii_individuals_unitemized_{span}": activity.individuals_unitemized,
            f"L11aiii_total_individual_{span}": activity.individuals,
            f"L11b_political_party_committees_{span}": activity.party_committees,
            f"L11c_other_political_committees_{span}": activity.other_committees,
            f"L11d_the_candidate_{span}": activity.candidate,
            f"L11e_total_contributions_{span}": activity.contributions,
            f"L12_transfers_from_other_authorized_committees_{span}": activity.transfers_in,
            f"L13a_loans_made_or_guaranteed_by_the_candidate_{span}": activity.candidate_loans,
            f"L13b_all_other_loans_{span}": activity.other_loans,
            f"L13c_total_loans_{span}": activity.loans,
            f"L14_offsets_to_operating_expenditures_{span}": activity.offsets,
            f"L15_other_receipts_{span}": activity.other_receipts,
            f"L16_total_receipts_{span}": activity.receipts,
            f"L17_operating_expenditures_{span}": activity.operating_expenditures,
            f"L18_transfers_to_other_authorized_committees_{span}": activity.transfers_out,
            f"L19a_loan_repayments_of_loans_made_or_guaranteed_by_candidate_{span}": (
                activity.candidate_loan_repayments
            ),
            f"L19b_loan_repayments_of_all_other_loans_{span}": activity.other_loan_repayments,
            f"L19c_total_loan_repayments_{span}": activity.loan_repayments,
            f"L20a_refunds_to_individuals_{span}": activity.refunds_individuals,
            f"L20b_refunds_to_political_party_committees_{span}": (
                activity.refunds_party_committees
            ),
            f"L20c_refunds_to_other_political_committees_{span}": (
                activity.refunds_other_committees
            ),
            f"L20d_total_contribution_refunds_{span}": activity.refunds,
            f"L21_other_disbursements_{span}": activity.other_disbursements,
            f"L22_total_disbursements_{span}": activity.disbursements,
        }
    lines |= {
        "L8_cash_on_hand_at_close_period": summary.closing_cash,
        "L9_debts_owed_to_committee_period": summary.debts_owed_to,
        "L10_debts_owed_by_committee_period": summary.debts_owed_by,
        "L23_cash_on_hand_beginning_reporting_period": summary.opening_cash,
        "L24_total_receipts_period": summary.period.receipts,
        "L25_subtotals_period": summary.opening_cash + summary.period.receipts,
        "L26_total_disbursements_period": summary.period.disbursements,
        "L27_cash_on_hand_at_close_period": summary.closing_cash,
    }
    return {name: dollars(cents) for name, cents in lines.items()}


def f3p_lines(summary: Summary) -> dict[str, Any]:
    """Form 3P's lines 6 to 31 (column A) and 16 to 30 (column B). Offsets are all reported
    as offsets to operating expenditures, and no expenditure is allocated by state."""
    lines: dict[str, int] = {
        "L6_cash_on_hand_beginning": summary.opening_cash,
        "L7_total_receipts": summary.period.receipts,
        "L8_subtotal": summary.opening_cash + summary.period.receipts,
        "L9_total_disbursements": summary.period.disbursements,
        "L10_cash_on_hand_close": summary.closing_cash,
        "L11_debts_owed_to_committee": summary.debts_owed_to,
        "L12_debts_owed_by_committee": summary.debts_owed_by,
        "L13_expenditures_subject_to_limitation": 0,
        "L14_net_contributions": summary.period.contributions - summary.period.refunds,
        "L15_net_operating_expenditures": (
            summary.period.operating_expenditures - summary.period.offsets
        ),
        "L31_items_on_hand_to_be_liquidated": 0,
    }
    for span, activity in (("period", summary.period), ("cycle", summary.cycle)):
        detail = (
            0,
            activity.individuals_itemized,
            activity.individuals_unitemized,
            activity.individuals,
            activity.party_committees,
            activity.other_committees,
            activity.candidate,
            activity.contributions,
            activity.transfers_in,
            activity.candidate_loans,
            activity.other_loans,
            activity.loans,
            activity.offsets,
            0,
            0,
            activity.offsets,
            activity.other_receipts,
            activity.receipts,
            activity.operating_expenditures,
            activity.transfers_out,
            0,
            0,
            activity.candidate_loan_repayments,
            activity.other_loan_repayments,
            activity.loan_repayments,
            activity.refunds_individuals,
            activity.refunds_party_committees,
            activity.refunds_other_committees,
            activity.refunds,
            activity.other_disbursements,
            activity.disbursements,
        )
        lines |= {
            f"{line}_{span}": cents for line, cents in zip(f3p.DETAIL_LINES, detail, strict=True)
        }
    return {name: dollars(cents) for name, cents in lines.items()}
