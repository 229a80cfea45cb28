"""The ``.fec`` writer and its checks: records valid by the FEC's schemas, a file ``fecfile``
reads back to the same figures, broken records named by line and field, and the FEC's own
2024 totals of the Harris committee reproduced by the summary code."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import fecfile
from hypothesis import given, settings
from hypothesis import strategies as st

from groundgame.core.money import cents_from_dollars
from groundgame.money.fec import filing, forms, schemas
from groundgame.money.fec.summary import Activity, Summary
from tests.helpers import shared_data

ADDRESS = forms.Address("1 Main St", "Wilmington", "DE", "19801")
COVERAGE = forms.Coverage(
    "Q3", dt.date(2024, 7, 1), dt.date(2024, 9, 30), "P2024", dt.date(2024, 10, 15)
)


def _filer(form: str) -> forms.Filer:
    return forms.Filer(
        "C00000042", "Friends of Synthetic", ADDRESS, "Treasurer", "Tess", form, "DE", "00"
    )


def _read_back(records: list[filing.Record]) -> dict[str, Any]:
    out = io.BytesIO()
    filing.write(records, out)
    return dict(fecfile.loads(out.getvalue().decode("ascii")))


def _cents(value: float | None) -> int:
    return round((value or 0) * 100)


def test_bundled_schemas_are_the_fecs():
    shared = shared_data("formats", "fec-schemas")
    for path in schemas.DATA.glob("*.json"):
        assert json.loads(path.read_text()) == json.loads((shared / path.name).read_text())


def test_harris_2024_totals_are_reproduced_from_their_inputs():
    """The FEC's all-candidates file: cash at the start of the cycle plus receipts minus
    disbursements is the cash the committee reported at the close, to the cent, and the
    Form 3P written from it reads back with the same lines."""
    row = next(
        line.split("|")
        for line in shared_data("money", "fec_weball24.txt").read_text().splitlines()
        if line.startswith("P00009423|")
    )
    money = {
        name: cents_from_dollars(row[index])
        for name, index in {
            "receipts": 5,
            "transfers_in": 6,
            "disbursements": 7,
            "transfers_out": 8,
            "opening": 9,
            "closing": 10,
            "debts_by": 16,
            "individuals": 17,
            "other_committees": 25,
            "party": 26,
            "refunds_individuals": 28,
            "refunds_committees": 29,
        }.items()
    }
    # The file gives these lines; what it does not break out (offsets, other receipts, and
    # operating and other disbursements) is the rest of its totals.
    cycle = Activity(
        individuals_unitemized=money["individuals"],
        party_committees=money["party"],
        other_committees=money["other_committees"],
        transfers_in=money["transfers_in"],
        other_receipts=money["receipts"]
        - money["individuals"]
        - money["party"]
        - money["other_committees"]
        - money["transfers_in"],
        transfers_out=money["transfers_out"],
        refunds_individuals=money["refunds_individuals"],
        refunds_other_committees=money["refunds_committees"],
        operating_expenditures=money["disbursements"]
        - money["transfers_out"]
        - money["refunds_individuals"]
        - money["refunds_committees"],
    )
    summary = Summary(cycle, cycle, opening_cash=money["opening"], debts_owed_by=money["debts_by"])

    assert summary.period.receipts == 1_175_189_102_91
    assert summary.period.disbursements == 1_175_284_284_32
    assert summary.closing_cash == money["closing"] == 1_762_056_63

    filer = forms.Filer("C00703975", "Harris for President", ADDRESS, "Treasurer", "Tess", "F3P")
    records = [filing.header(), forms.summary_record(filer, COVERAGE, summary)]
    assert list(filing.problems(records, form="F3P")) == []
    read = _read_back(records)["filing"]
    assert _cents(read["col_a_cash_on_hand_beginning_period"]) == money["opening"]
    assert _cents(read["col_a_total_receipts"]) == money["receipts"]
    assert _cents(read["col_a_total_disbursements"]) == money["disbursements"]
    assert _cents(read["col_a_cash_on_hand_close_of_period"]) == money["closing"]
    assert _cents(read["col_a_debts_by"]) == 969_957_99


def _records(form: str) -> list[filing.Record]:
    filer = _filer(form)
    period = Activity(
        individuals_itemized=500_00,
        individuals_unitemized=10_00,
        operating_expenditures=30_00,
        refunds_individuals=1_00,
    )
    summary = Summary(period, period, opening_cash=123_45, debts_owed_by=7_77)
    return [
        filing.header(),
        forms.summary_record(filer, COVERAGE, summary),
        *forms.contribution_records(
            filer,
            forms.Contribution(
                "A1", "Zoë", "Núñez", ADDRESS, "", "", COVERAGE.start, 250_00, 250_00, "P2024", True
            ),
        ),
        *forms.contribution_records(
            filer,
            forms.Contribution(
                "A2",
                "Bo",
                "Ng",
                ADDRESS,
                "Acme",
                "Clerk",
                COVERAGE.end,
                250_00,
                300_00,
                "P2024",
                False,
            ),
        ),
        forms.disbursement_record(
            filer,
            forms.Disbursement(
                "B1", "Print\x1cShop", ADDRESS, COVERAGE.end, 30_00, 30_00, "Printing"
            ),
        ),
        forms.debt_record(filer, forms.Debt("D1", "Airtime Co", ADDRESS, "Airtime", 0, 7_77, 0)),
    ]


def test_every_form_writes_a_valid_file_that_reads_back_with_its_figures():
    for form, receipt_line, expenditure_line in (
        ("F3P", "SA17A", "SB23"),
        ("F3", "SA11AI", "SB17"),
    ):
        records = _records(form)
        assert list(filing.problems(records, form=form)) == []
        out = io.BytesIO()
        filing.write(records, out)
        raw = out.getvalue()
        assert raw.count(b"\r\n") == len(records)
        assert raw.endswith(b"\r\n")
        assert raw.split(b"\r\n")[0].split(b"\x1c")[:3] == [b"HDR", b"FEC", b"8.3"]

        read = fecfile.loads(raw.decode("ascii"))
        receipts = read["itemizations"]["Schedule A"]
        assert [r["form_type"] for r in receipts] == [receipt_line] * 3
        counted = [r for r in receipts if r["memo_code"] != "X"]
        assert sum(_cents(r["contribution_amount"]) for r in counted) == 500_00
        memo = next(r for r in receipts if r["memo_code"] == "X")
        assert memo["donor_committee_fec_id"] == forms.ACTBLUE_FEC_ID
        assert memo["back_reference_tran_id_number"] == "A1"
        # Best efforts: an itemized donor who gave no employer is reported as asked.
        assert receipts[0]["contributor_employer"] == forms.INFORMATION_REQUESTED
        assert receipts[0]["contributor_first_name"] == "Zoe"
        (spent,) = read["itemizations"]["Schedule B"]
        assert spent["form_type"] == expenditure_line
        assert spent["payee_organization_name"] == "Print Shop"
        (debt,) = read["itemizations"]["Schedule D"]
        assert _cents(debt["balance_at_close_this_period"]) == 7_77


def test_a_broken_record_is_named_by_its_line_and_field():
    records = _records("F3")
    broken = filing.record(
        filing.INDIVIDUAL_RECEIPT, **{**records[4].values, "contributor_city": None}
    )
    records[4] = broken
    found = [str(p) for p in filing.problems(records, form="F3")]
    assert found == [
        "line 5 (contribution): contributor_city: 'contributor_city' is a required property"
    ]


def test_an_amount_is_written_in_dollars_and_cents():
    record = forms.disbursement_record(
        _filer("F3"),
        forms.Disbursement("B9", "Vendor", ADDRESS, COVERAGE.end, 1_234_567_89, 5, "Ads"),
    )
    assert record.values["expenditure_amount"] == Decimal("1234567.89")
    assert "\x1c1234567.89\x1c\x1cAds\x1c" in record.line()


@settings(max_examples=100, deadline=None)
@given(
    form=st.sampled_from(["F3", "F3P"]),
    index=st.integers(min_value=0, max_value=6),
    field_pick=st.integers(min_value=0, max_value=400),
    value=st.one_of(
        st.none(),
        st.text(max_size=60),
        st.booleans(),
        st.decimals(allow_nan=False, allow_infinity=False, places=2),
        st.integers(),
    ),
)
def test_the_compiled_check_agrees_with_jsonschema(
    form: str, index: int, field_pick: int, value: Any
) -> None:
    """The fast path only decides which records jsonschema looks at again: on any record,
    good or broken, both must say the same."""
    item = _records(form)[index]
    fields = sorted(set(item.kind.columns) | set(item.values))
    broken = filing.Record(item.kind, {**item.values, fields[field_pick % len(fields)]: value})
    reference = schemas.problems(broken.as_json(), broken.kind.validators(form))
    assert broken.kind.checker(form)(broken.as_json()) == (not reference)
