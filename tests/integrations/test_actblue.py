"""ActBlue's webhook and contributions export, through HTTP and the import: Basic auth per
endpoint, a body checked whole before anything is stored, each line item counted once
whichever way it arrives, and a dirty export whose good rows land and bad rows are named."""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from groundgame.integrations.actblue import csv_import, intake
from groundgame.integrations.actblue.models import ImportRun, Receipt
from groundgame.money import selectors
from groundgame.money.models import Adjustment, Contribution
from groundgame.people.models import Person
from tests.helpers import assert_api_error, shared_data
from tests.money import builders

pytestmark = pytest.mark.django_db

ENDPOINTS = {"main": ("actblue", "s3cret-main"), "events": ("ab-events", "other-secret")}


@pytest.fixture
def committee(db: None, settings: Any) -> Any:
    settings.GROUNDGAME_ACTBLUE_ENDPOINTS = ENDPOINTS
    return builders.committee()


def post(body: Any, *, endpoint: str = "main", auth: tuple[str, str] | None = None) -> Any:
    username, password = auth or ENDPOINTS[endpoint]
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Client().post(
        f"/integrations/actblue/{endpoint}/",
        raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {token}",
    )


def test_the_shape_file_is_the_one_the_builders_follow() -> None:
    shape = json.loads(shared_data("formats", "actblue_webhook_shape.json").read_text())
    body = builders.webhook_body(1, [(11, "10.0")])
    for part in ("donor", "contribution"):
        assert set(shape[part]) <= set(body[part]), part
    assert set(shape["lineitems"][0]) == set(body["lineitems"][0])
    header = shared_data("formats", "actblue_csv_export_header.csv").read_text().strip()
    assert header.split(",") == builders.CSV_HEADER
    assert len(builders.CSV_HEADER) == 91


def test_a_webhook_is_stored_then_recorded_once(committee: Any) -> None:
    body = builders.webhook_body(1, [(11, "10.0"), (12, "25.50")])
    answer = post(body)
    assert answer.status_code == 200
    assert answer.json() == {"received": 2, "new": 2}
    assert Receipt.objects.count() == 2
    # A retry of the same body stores nothing new.
    assert post(body).json() == {"received": 2, "new": 0}
    assert intake.receipts_process() == 2
    assert Contribution.objects.count() == 2
    assert sorted(Contribution.objects.values_list("amount_cents", flat=True)) == [1000, 2550]
    assert Person.objects.count() == 1
    # The export later carries the same gifts: counted once, the donor's ActBlue id kept.
    report = csv_import.contributions_import(
        actor=None,
        text=builders.csv_text(
            [builders.csv_row(1, 11, "10.00"), builders.csv_row(1, 12, "25.50")]
        ),
    )
    assert (report.landed, report.unchanged, report.rejected) == (0, 2, [])
    assert Person.objects.get().external_ids.filter(system="actblue", external_id="D5001").exists()
    assert selectors.receipts_totals().gross_cents == 3550


def test_a_refund_webhook_amends_the_gift(committee: Any) -> None:
    post(builders.webhook_body(1, [(11, "10.0")]))
    refunded = builders.PAID + dt.timedelta(days=3)
    answer = post(builders.webhook_body(1, [(11, "10.0")], status="refunded", refunded_at=refunded))
    assert answer.json()["new"] == 1
    intake.receipts_drain()
    adjustment = Adjustment.objects.get()
    assert (adjustment.kind, adjustment.amount_cents, adjustment.at) == ("refund", 1000, refunded)
    assert selectors.receipts_totals().net_cents == 0


@pytest.mark.parametrize(
    ("auth", "endpoint", "status", "code"),
    [
        (("actblue", "wrong"), "main", 401, "actblue_unauthorized"),
        (("ab-events", "other-secret"), "main", 401, "actblue_unauthorized"),
        (("actblue", "s3cret-main"), "nowhere", 404, "actblue_endpoint_not_found"),
    ],
)
def test_credentials_are_per_endpoint(
    committee: Any, auth: tuple[str, str], endpoint: str, status: int, code: str
) -> None:
    answer = post(builders.webhook_body(1, [(11, "10.0")]), endpoint=endpoint, auth=auth)
    assert_api_error(answer, status, code)
    assert not Receipt.objects.exists()


def test_the_other_endpoint_takes_its_own_credentials(committee: Any) -> None:
    assert post(builders.webhook_body(1, [(11, "10.0")]), endpoint="events").status_code == 200


def _broken(path: str, value: Any) -> dict[str, Any]:
    body = builders.webhook_body(1, [(11, "10.0"), (12, "5.00")])
    where: Any = body
    parts = path.split(".")
    for part in parts[:-1]:
        where = where[int(part)] if part.isdigit() else where[part]
    where[parts[-1]] = value
    return body


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("lineitems.1.amount", "ten", "lineitems[1].amount"),
        ("lineitems.1.amount", 10.5, "lineitems[1].amount"),
        ("lineitems.1.amount", "0.001", "lineitems[1].amount"),
        ("lineitems.1.amount", "-5", "lineitems[1].amount"),
        ("lineitems.1.lineitemId", None, "lineitems[1].lineitemId"),
        ("lineitems.1.paidAt", "yesterday", "lineitems[1].paidAt"),
        ("lineitems.1.entityId", 999, "lineitems[1].entityId"),
        ("donor.lastname", "", "donor.lastname"),
        ("donor.firstname", "Ma\x00ya", "donor.firstname"),
        ("donor.email", "maya@", "donor.email"),
        ("donor.phone", "555", "donor.phone"),
        ("contribution.status", "pending", "contribution.status"),
        ("contribution.orderNumber", "AB 1; drop", "contribution.orderNumber"),
        ("lineitems", [], "lineitems"),
    ],
)
def test_a_bad_body_names_its_field_and_stores_nothing(
    committee: Any, path: str, value: Any, field: str
) -> None:
    assert_api_error(post(_broken(path, value)), 422, "actblue_invalid", field)
    assert not Receipt.objects.exists()


def test_a_body_that_is_not_json_is_a_400(committee: Any) -> None:
    assert_api_error(post(b"{not json"), 400, "invalid_json")
    assert_api_error(post(b"[" * 100 + b"]" * 100), 400, "json_too_deep")


def test_a_receipt_the_ledger_refuses_is_kept_with_its_reason(committee: Any) -> None:
    late = builders.PAID.replace(year=2025, month=1)
    post(builders.webhook_body(1, [(11, "10.0")], paid_at=late))
    intake.receipts_process()
    receipt = Receipt.objects.get()
    assert receipt.processed_at is not None
    assert "No election" in receipt.error
    assert not Contribution.objects.exists()


def test_a_dirty_export_lands_its_good_rows_and_names_the_bad(committee: Any) -> None:
    rows = [
        builders.csv_row(1, 21, "10.00"),
        builders.csv_row(2, 22, "ten dollars"),
        builders.csv_row(3, 23, "15.00", refund_at=builders.PAID + dt.timedelta(days=1)),
        builders.csv_row(4, 24, "5.00", paid_at=builders.PAID.replace(year=2025, month=1)),
        builders.csv_row(5, 25, "7.00"),
    ]
    rows[4][builders.CSV_HEADER.index("Donor Last Name")] = ""
    text = builders.csv_text(rows)
    report = csv_import.contributions_import(actor=None, text=text)
    assert report.rows == 5
    assert report.landed == 2
    assert [line for line, _ in report.rejected] == [3, 5, 6]
    assert "Amount" in report.rejected[0][1]
    assert "Donor Last Name" in report.rejected[2][1]
    assert Adjustment.objects.get().amount_cents == 1500
    again = csv_import.contributions_import(actor=None, text=text)
    assert (again.landed, again.unchanged, len(again.rejected)) == (0, 2, 3)
    assert Contribution.objects.count() == 2


def test_a_file_that_is_not_the_export_is_refused_whole(committee: Any) -> None:
    from groundgame.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as caught:
        csv_import.contributions_import(actor=None, text="name,amount\nMaya,10\n")
    assert caught.value.field == "file"
    assert not Contribution.objects.exists()


def test_the_upload_page_imports_with_progress_for_national_finance_only(
    committee: Any, campaign: Any, make_staff: Any, client_for: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = builders.csv_text([builders.csv_row(1, 31, "10.00")])
    regional = client_for(make_staff("tri-finance", role="finance", unit=campaign.triangle))
    upload = SimpleUploadedFile("export.csv", text.encode(), content_type="text/csv")
    assert regional.post("/money/actblue/import/", {"file": upload}).status_code == 403
    assert not ImportRun.objects.exists()
    national = client_for(make_staff("nat-finance", role="finance", unit=campaign.national))
    upload = SimpleUploadedFile("export.csv", text.encode(), content_type="text/csv")
    answer = national.post("/money/actblue/import/", {"file": upload})
    run = ImportRun.objects.get()
    assert answer.status_code == 302
    page = national.get(f"/money/actblue/import/{run.pk}/")
    assert b'http-equiv="refresh"' in page.content
    csv_import.import_run_execute(run_id=run.pk)
    page = national.get(f"/money/actblue/import/{run.pk}/")
    assert b"<strong>1</strong> landed" in page.content
    assert b'http-equiv="refresh"' not in page.content
    assert Contribution.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_command_imports_the_export_and_names_bad_lines(
    tmp_path: Any, capsys: Any, settings: Any
) -> None:
    from groundgame.cli import main

    builders.committee()
    path = tmp_path / "export.csv"
    path.write_text(
        builders.csv_text([builders.csv_row(1, 41, "10.00"), builders.csv_row(2, 42, "x")])
    )
    assert main(["integrations", "actblue", "import-contributions", str(path)]) == 0
    out = capsys.readouterr()
    assert "1 landed" in out.out
    assert "line 3: Amount" in out.err
    assert Contribution.objects.count() == 1
