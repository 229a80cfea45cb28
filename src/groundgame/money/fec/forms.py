"""The records of a report, built from plain values: who files, what span it covers, the
summary, and each itemized contribution, disbursement and debt. Nothing here reads the
ledger; ``report.py`` does, in bulk, and hands the rows over."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from groundgame.money.fec import filing
from groundgame.money.fec.summary import Summary, dollars, f3_lines, f3p_lines

# Above this aggregate for the election cycle, a donor's contributions are itemized and their
# employer and occupation are asked for (52 U.S.C. 30104(b)(3)(A)).
ITEMIZATION_THRESHOLD_CENTS = 200_00
# What the FEC accepts where the donor did not give them after the committee's best efforts.
INFORMATION_REQUESTED = "INFORMATION REQUESTED"


@dataclass(frozen=True)
class Address:
    street_1: str
    city: str
    state: str
    zip: str


# ActBlue, the conduit of earmarked contributions, as registered with the FEC.
ACTBLUE_FEC_ID = "C00401224"
ACTBLUE_NAME = "ActBlue"
ACTBLUE_ADDRESS = Address("PO Box 441146", "Somerville", "MA", "02144")


@dataclass(frozen=True)
class Filer:
    fec_id: str
    name: str
    address: Address
    treasurer_last_name: str
    treasurer_first_name: str
    form: str  # "F3" (House, Senate) or "F3P" (president)
    election_state: str = ""
    election_district: str = ""


@dataclass(frozen=True)
class Coverage:
    report_code: str  # Q1, Q2, Q3, YE, ...
    start: dt.date
    end: dt.date
    election_code: str  # P2024, G2024
    signed: dt.date


@dataclass(frozen=True)
class Contribution:
    transaction_id: str
    first_name: str
    last_name: str
    address: Address
    employer: str
    occupation: str
    date: dt.date
    amount_cents: int
    aggregate_cents: int
    election_code: str
    earmarked: bool


@dataclass(frozen=True)
class Disbursement:
    transaction_id: str
    payee: str
    address: Address
    date: dt.date
    amount_cents: int
    aggregate_cents: int
    purpose: str


@dataclass(frozen=True)
class Debt:
    transaction_id: str
    creditor: str
    address: Address
    purpose: str
    beginning_cents: int
    incurred_cents: int
    paid_cents: int

    @property
    def closing_cents(self) -> int:
        return self.beginning_cents + self.incurred_cents - self.paid_cents


def line(form: str, f3x_line: str) -> str:
    return filing.FORM_LINES.get(form, {}).get(f3x_line, f3x_line)


def summary_record(filer: Filer, coverage: Coverage, summary: Summary) -> filing.Record:
    identity = {
        "filer_committee_id_number": filer.fec_id,
        "committee_name": filer.name,
        "street_1": filer.address.street_1,
        "city": filer.address.city,
        "state": filer.address.state,
        "zip": filer.address.zip,
        "report_code": coverage.report_code,
        "election_code": coverage.election_code,
        "coverage_from_date": coverage.start,
        "coverage_through_date": coverage.end,
        "treasurer_last_name": filer.treasurer_last_name,
        "treasurer_first_name": filer.treasurer_first_name,
        "date_signed": coverage.signed,
    }
    if filer.form == "F3P":
        return filing.record(filing.FORM_3P, form_type="F3PN", **identity, **f3p_lines(summary))
    return filing.record(
        filing.FORM_3,
        form_type="F3N",
        election_state=filer.election_state or None,
        election_district=filer.election_district or None,
        **identity,
        **f3_lines(summary),
    )


def contribution_records(filer: Filer, item: Contribution) -> Iterator[filing.Record]:
    """An itemized contribution; one earmarked through ActBlue is followed by the memo entry
    naming the conduit, which does not count again in the totals."""
    form_type = line(filer.form, "SA11AI")
    itemized = item.aggregate_cents > ITEMIZATION_THRESHOLD_CENTS
    common = {
        "form_type": form_type,
        "filer_committee_id_number": filer.fec_id,
        "contribution_date": item.date,
        "contribution_amount": dollars(item.amount_cents),
        "contribution_aggregate": dollars(item.aggregate_cents),
        "aggregation_group": "GENERAL",
    }
    yield filing.record(
        filing.EARMARK_RECEIPT if item.earmarked else filing.INDIVIDUAL_RECEIPT,
        **common,
        transaction_type_identifier=("EARMARK_RECEIPT" if item.earmarked else "INDIVIDUAL_RECEIPT"),
        transaction_id=item.transaction_id,
        entity_type="IND",
        contributor_last_name=item.last_name,
        contributor_first_name=item.first_name,
        contributor_street_1=item.address.street_1,
        contributor_city=item.address.city,
        contributor_state=item.address.state,
        contributor_zip=item.address.zip,
        election_code=item.election_code,
        contributor_employer=item.employer or (INFORMATION_REQUESTED if itemized else None),
        contributor_occupation=item.occupation or (INFORMATION_REQUESTED if itemized else None),
        contribution_purpose_descrip=(
            f"Earmarked through {ACTBLUE_NAME}" if item.earmarked else None
        ),
        conduit_name=ACTBLUE_NAME if item.earmarked else None,
    )
    if item.earmarked:
        yield filing.record(
            filing.EARMARK_MEMO,
            **common,
            transaction_type_identifier="EARMARK_MEMO",
            transaction_id=f"{item.transaction_id}M",
            back_reference_tran_id_number=item.transaction_id,
            back_reference_sched_name=form_type,
            entity_type="COM",
            contributor_organization_name=ACTBLUE_NAME,
            contributor_street_1=ACTBLUE_ADDRESS.street_1,
            contributor_city=ACTBLUE_ADDRESS.city,
            contributor_state=ACTBLUE_ADDRESS.state,
            contributor_zip=ACTBLUE_ADDRESS.zip,
            donor_committee_fec_id=ACTBLUE_FEC_ID,
            donor_committee_name=ACTBLUE_NAME,
            contribution_purpose_descrip="Total earmarked through conduit",
            memo_code=True,
        )


def disbursement_record(filer: Filer, item: Disbursement) -> filing.Record:
    return filing.record(
        filing.DISBURSEMENT,
        form_type=line(filer.form, "SB21B"),
        filer_committee_id_number=filer.fec_id,
        transaction_type_identifier="OPERATING_EXPENDITURE",
        transaction_id=item.transaction_id,
        entity_type="ORG",
        payee_organization_name=item.payee,
        payee_street_1=item.address.street_1,
        payee_city=item.address.city,
        payee_state=item.address.state,
        payee_zip=item.address.zip,
        expenditure_date=item.date,
        expenditure_amount=dollars(item.amount_cents),
        aggregate_amount=dollars(item.aggregate_cents),
        aggregation_group="GENERAL_DISBURSEMENT",
        expenditure_purpose_descrip=item.purpose,
    )


def debt_record(filer: Filer, item: Debt) -> filing.Record:
    return filing.record(
        filing.DEBT,
        form_type="SD10",
        filer_committee_id_number=filer.fec_id,
        transaction_type_identifier="DEBT_OWED_BY_COMMITTEE",
        transaction_id=item.transaction_id,
        entity_type="ORG",
        creditor_organization_name=item.creditor,
        creditor_street_1=item.address.street_1,
        creditor_city=item.address.city,
        creditor_state=item.address.state,
        creditor_zip=item.address.zip,
        purpose_of_debt_or_obligation=item.purpose,
        beginning_balance=dollars(item.beginning_cents),
        incurred_amount=dollars(item.incurred_cents),
        payment_amount=dollars(item.paid_cents),
        balance_at_close=dollars(item.closing_cents),
    )
