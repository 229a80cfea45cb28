"""A Schedule B file: good rows land, bad rows are named by line and reason, nothing is
half-written, and the same file twice adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from groundgame.core.errors import PermissionDenied, ValidationFailed
from groundgame.money import errors
from groundgame.money.disbursement_import import disbursements_import
from groundgame.money.models import Disbursement, Vendor
from tests.conftest import Campaign

pytestmark = pytest.mark.django_db

HEADER = (
    "form_type,transaction_id,entity_type,payee_organization_name,payee_last_name,"
    "payee_first_name,payee_street_1,payee_city,payee_state,payee_zip,expenditure_date,"
    "expenditure_amount,expenditure_purpose_descrip,category_code,memo_code,budget_category\n"
)
GOOD = (
    "SB17,B-1,ORG,Blue Wave Media,,,1 Main St,Durham,NC,27701,2026-07-06,125000.00,"
    "TV airtime,004,,media_tv\n"
    "SB17,B-2,IND,,Doe,Jan,2 Elm St,Raleigh,NC,27601,07/15/2026,2500,Field staff,001,,staff\n"
    'SB17,B-3,ORG,Print Shop,,,3 Oak St,Greensboro,NC,27401,20260720,"1,200.50",'
    "Door hangers,006,,\n"
)
BAD = (
    "SB17,B-4,ORG,Nobody Inc,,,4 Pine St,Durham,NC,27701,2026-13-01,10,Bad date,004,,\n"
    "SB17,B-5,ORG,Nobody Inc,,,4 Pine St,Durham,NC,27701,2026-07-01,12.345,Bad amount,004,,\n"
    "SB17,B-6,ORG,,,,4 Pine St,Durham,NC,27701,2026-07-01,10,No payee,004,,\n"
    "SB17,B-7,ORG,Nobody Inc,,,4 Pine St,Durham,NC,27701,2026-07-01,10,Bad code,099,,\n"
    "SB17,B-1,ORG,Blue Wave Media,,,1 Main St,Durham,NC,27701,2026-07-06,999,Reused id,004,,\n"
)


def test_good_rows_land_and_bad_ones_are_named(campaign: Campaign, treasurer: Any) -> None:
    data = (HEADER + GOOD + BAD).encode()
    report = disbursements_import(actor=treasurer, data=data, org_unit_id=campaign.nc.pk)
    assert report.created == 3
    assert [(p.line, p.field) for p in report.problems] == [
        (5, "expenditure_date"),
        (6, "expenditure_amount"),
        (7, "payee_organization_name"),
        (8, "category_code"),
        (9, "transaction_id"),
    ]
    rows = {d.transaction_id: d for d in Disbursement.objects.select_related("vendor")}
    assert rows["B-1"].amount_cents == 125_000_00
    assert rows["B-1"].category == "media_tv"
    assert rows["B-2"].vendor.name == "Doe, Jan"
    assert rows["B-2"].vendor.entity_type == "IND"
    assert rows["B-3"].amount_cents == 1_200_50
    assert rows["B-3"].category == "field"  # from the FEC's 006, campaign materials
    # A refused row leaves nothing behind, not even its vendor.
    assert not Vendor.objects.filter(name="Nobody Inc").exists()


def test_the_same_file_twice_adds_nothing(campaign: Campaign, treasurer: Any) -> None:
    data = (HEADER + GOOD).encode()
    disbursements_import(actor=treasurer, data=data, org_unit_id=campaign.nc.pk)
    again = disbursements_import(actor=treasurer, data=data, org_unit_id=campaign.nc.pk)
    assert (again.created, again.unchanged, again.problems) == (0, 3, [])
    assert Disbursement.objects.count() == 3


def test_a_file_that_is_not_schedule_b_is_refused_whole(campaign: Campaign, treasurer: Any) -> None:
    for data in (b"name,amount\nx,1\n", b"\x00\x01binary"):
        with pytest.raises(ValidationFailed) as raised:
            disbursements_import(actor=treasurer, data=data, org_unit_id=campaign.nc.pk)
        assert (raised.value.code, raised.value.field) == (errors.DISBURSEMENT_FILE_INVALID, "file")
    assert not Disbursement.objects.exists()


def test_only_finance_of_the_unit_imports(
    campaign: Campaign, durham_finance: Any, make_staff: Any
) -> None:
    data = (HEADER + GOOD).encode()
    director = make_staff("dora", role="director", unit=campaign.national)
    for actor, unit in ((durham_finance, campaign.guilford), (director, campaign.nc)):
        with pytest.raises(PermissionDenied):
            disbursements_import(actor=actor, data=data, org_unit_id=unit.pk)
    assert not Disbursement.objects.exists()
