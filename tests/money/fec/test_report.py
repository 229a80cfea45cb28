"""A committee's quarterly report from its ledger: the donors past $200 for the cycle are
itemized (with the conduit's memo for gifts earmarked through ActBlue), the file passes the
FEC's schemas and reads back through ``fecfile`` to the summary's own totals; only national
finance builds it, and building it is logged as a read of the donors it names."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import fecfile
import pytest

from groundgame.audit.models import AuditEvent
from groundgame.core.errors import PermissionDenied, ValidationFailed
from groundgame.money import errors
from groundgame.money.fec import forms
from groundgame.money.services import fec as fec_reports
from groundgame.money.services import spending
from tests.conftest import Campaign
from tests.money.ledger import gift
from tests.money.spending import receipts

pytestmark = pytest.mark.django_db
D = dt.date


def _cents(value: float | None) -> int:
    return round((value or 0) * 100)


@pytest.fixture
def quarter(campaign: Campaign, treasurer: Any, vendor: Any) -> Any:
    committee = receipts.committee()
    fec_reports.fec_filer_set(
        actor=treasurer,
        committee_id=committee.pk,
        street_1="100 Main St",
        city="Durham",
        state="nc",
        zip_code="27701",
        treasurer_first_name="Tess",
        treasurer_last_name="Reyes",
        election_state="NC",
        election_district="4",
    )
    alice, bob, nobody = campaign.alice.pk, campaign.bob.pk, campaign.nobody.pk
    gift(person_id=alice, cents=150_00, day=D(2026, 5, 1))
    gift(person_id=alice, cents=100_00, day=D(2026, 7, 10))
    gift(person_id=bob, cents=50_00, day=D(2026, 7, 11), name=("Bo", "Ng"))
    taken_back = gift(person_id=bob, cents=60_00, day=D(2026, 8, 1), name=("Bo", "Ng"))
    receipts.refund(of=taken_back, cents=60_00, day=D(2026, 8, 2))
    gift(
        person_id=nobody,
        cents=300_00,
        day=D(2026, 9, 30),
        name=("Cy", "Diaz"),
        employer="Acme",
        earmarked=False,
    )
    for day, cents in ((D(2026, 6, 1), 100_00), (D(2026, 8, 15), 200_00)):
        spending.disbursement_create(
            actor=treasurer,
            entry=spending.DisbursementInput(
                vendor_id=vendor.pk,
                paid_on=day,
                amount_cents=cents,
                category="media_digital",
                org_unit_id=campaign.national.pk,
                purpose="Digital ads",
            ),
        )
    spending.debt_create(
        actor=treasurer,
        vendor_id=vendor.pk,
        purpose="Airtime",
        incurred_on=D(2026, 9, 1),
        amount_cents=777_00,
        org_unit_id=campaign.national.pk,
        committee_id=committee.pk,
    )
    return committee


def _build(actor: Any, committee: Any, period: str = "2026Q3") -> tuple[Any, bytes]:
    out = io.BytesIO()
    built = fec_reports.fec_report_write(
        actor=actor, committee_id=committee.pk, period=period, out=out, signed=D(2026, 10, 15)
    )
    return built, out.getvalue()


def test_a_quarter_passes_the_schemas_and_reads_back_to_its_totals(
    quarter: Any, treasurer: Any
) -> None:
    built, raw = _build(treasurer, quarter)
    assert built.valid, [str(p) for p in built.problems]
    summary = built.summary
    assert summary.period.individuals_itemized == 400_00
    assert summary.period.individuals_unitemized == 110_00
    assert summary.period.refunds == 60_00
    assert summary.period.disbursements == 260_00
    assert summary.opening_cash == 150_00 - 100_00
    assert summary.closing_cash == 50_00 + 510_00 - 260_00
    assert summary.cycle.individuals_itemized == 550_00
    assert summary.debts_owed_by == 777_00

    read = fecfile.loads(raw.decode("ascii"))
    form = read["filing"]
    assert form["form_type"] == "F3N"
    assert form["election_district"] == "04"
    counted = [r for r in read["itemizations"]["Schedule A"] if r["memo_code"] != "X"]
    memos = [r for r in read["itemizations"]["Schedule A"] if r["memo_code"] == "X"]
    assert sum(_cents(r["contribution_amount"]) for r in counted) == _cents(
        form["col_a_individual_contributions_itemized"]
    )
    assert _cents(form["col_a_total_receipts"]) == 510_00
    assert _cents(form["col_a_total_disbursements"]) == 260_00
    assert _cents(form["col_a_cash_on_hand_close"]) == 300_00
    assert sorted(
        (r["contributor_last_name"], _cents(r["contribution_aggregate"])) for r in counted
    ) == [
        ("Byron", 250_00),
        ("Diaz", 300_00),
    ]
    byron = next(r for r in counted if r["contributor_last_name"] == "Byron")
    assert byron["contributor_employer"] == forms.INFORMATION_REQUESTED
    assert [m["back_reference_tran_id_number"] for m in memos] == [byron["transaction_id"]]
    spent = read["itemizations"]["Schedule B"]
    assert sum(_cents(r["expenditure_amount"]) for r in spent) == _cents(
        form["col_a_operating_expenditures"]
    )
    (debt,) = read["itemizations"]["Schedule D"]
    assert _cents(debt["balance_at_close_this_period"]) == _cents(form["col_a_debts_by"])
    assert built.lines == len(raw.split(b"\r\n")) - 1

    event = AuditEvent.objects.get(action="money.contribution.list")
    assert event.actor == treasurer
    assert event.summary == "2 shown; query: FEC report 2026Q3 of C00000042"


def test_a_record_the_schemas_refuse_is_named_by_line_and_field(
    quarter: Any, treasurer: Any, campaign: Campaign
) -> None:
    nameless = gift(person_id=campaign.alice.pk, cents=10_00, day=D(2026, 9, 1))
    nameless.city = ""
    nameless.save()
    built, raw = _build(treasurer, quarter)
    assert not built.valid
    assert [str(p) for p in built.problems] == [
        "line 5 (earmarked contribution): contributor_city: '' should be non-empty"
    ]
    assert raw.count(b"\r\n") == built.lines


def test_only_national_finance_builds_a_report(
    quarter: Any, durham_finance: Any, national_admin: Any
) -> None:
    with pytest.raises(PermissionDenied) as raised:
        _build(durham_finance, quarter)
    assert raised.value.code == errors.NOT_FINANCE
    with pytest.raises(PermissionDenied):
        fec_reports.fec_filer_set(
            actor=durham_finance,
            committee_id=quarter.pk,
            street_1="1 Elm",
            city="Durham",
            state="NC",
            zip_code="27701",
            treasurer_first_name="Dana",
            treasurer_last_name="Doe",
        )
    assert not AuditEvent.objects.filter(action="money.contribution.list").exists()
    built, _ = _build(national_admin, quarter)
    assert built.valid


@pytest.mark.parametrize(
    ("period", "code", "field"),
    [("2026Q5", errors.FEC_PERIOD_INVALID, "period"), ("Q3", errors.FEC_PERIOD_INVALID, "period")],
)
def test_a_bad_period_names_the_field(
    quarter: Any, treasurer: Any, period: str, code: str, field: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        _build(treasurer, quarter, period)
    assert (raised.value.code, raised.value.field) == (code, field)


def test_a_committee_without_its_filing_identity_is_told_so(
    campaign: Campaign, treasurer: Any
) -> None:
    committee = receipts.committee()
    with pytest.raises(ValidationFailed) as raised:
        _build(treasurer, committee)
    assert raised.value.code == errors.FEC_FILER_MISSING
