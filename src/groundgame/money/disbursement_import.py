"""Disbursements from a CSV in the shape of the FEC's Schedule B, as treasurers' software and
the FEC's own downloads lay it out: a header row naming the FEC's fields (``transaction_id``,
``payee_organization_name`` or ``payee_last_name``/``payee_first_name``, the payee's address,
``expenditure_date``, ``expenditure_amount``, ``expenditure_purpose_descrip``,
``category_code``, ``memo_code``), and optionally ``budget_category`` naming ours.

Every good row lands and every bad row is reported with its line and reason; the good rows,
their vendors and the audit row commit together or not at all. A row is known by its
``transaction_id``: the same file imported twice adds nothing, and a row that reuses an id
for a different payment is refused rather than overwriting the first.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from groundgame.audit.services import Actor, audit_record
from groundgame.audit.services import Kind as AuditKind
from groundgame.core.errors import ApplicationError, ValidationFailed
from groundgame.core.money import cents_from_dollars
from groundgame.core.text import bytes_have_control_characters
from groundgame.money import errors
from groundgame.money.models import Disbursement, SpendCategory, Vendor
from groundgame.money.services.spending import (
    DisbursementInput,
    disbursement_checked,
    disbursement_row,
    text_checked,
    unit_checked,
)

REQUIRED = (
    "transaction_id",
    "expenditure_date",
    "expenditure_amount",
    "expenditure_purpose_descrip",
)
MAX_ROWS = 200_000
DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%m/%d/%Y")
# Where a row names no budget category, the FEC's category says what it most likely was.
CATEGORY_FROM_FEC = {
    "001": SpendCategory.OVERHEAD,  # administrative, salary, overhead
    "002": SpendCategory.OVERHEAD,  # travel
    "003": SpendCategory.DIGITAL,  # solicitation and fundraising
    "004": SpendCategory.MEDIA_TV,  # advertising
    "005": SpendCategory.CONSULTANTS,  # polling
    "006": SpendCategory.FIELD,  # campaign materials
    "007": SpendCategory.EVENTS,  # campaign event expenses
}


@dataclass(frozen=True)
class RowProblem:
    line: int
    field: str
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "created": self.created,
            "unchanged": self.unchanged,
            "rejected": [p.__dict__ for p in self.problems],
        }


@dataclass(frozen=True)
class _Row:
    line: int
    vendor: dict[str, str]
    entry: DisbursementInput


def _date(value: str) -> dt.date:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise ValidationFailed(f"{value!r} is not a date (YYYY-MM-DD).", field="expenditure_date")


def _vendor_fields(cells: dict[str, str]) -> dict[str, str]:
    code = errors.DISBURSEMENT_INVALID
    org = cells.get("payee_organization_name", "").strip()
    last, first = (
        cells.get("payee_last_name", "").strip(),
        cells.get("payee_first_name", "").strip(),
    )
    name = org or ", ".join(p for p in (last, first) if p)
    if not name:
        raise ValidationFailed(
            "Name the payee (payee_organization_name or payee_last_name).",
            code=code,
            field="payee_organization_name",
        )
    entity = cells.get("entity_type", "").strip().upper() or (
        Vendor.EntityType.ORGANIZATION if org else Vendor.EntityType.INDIVIDUAL
    )
    if entity not in Vendor.EntityType.values:
        raise ValidationFailed("entity_type is ORG, IND or COM.", code=code, field="entity_type")
    out = {"name": text_checked(name, field="payee", code=code, max_length=200, required=True)}
    out["entity_type"] = entity
    for column, key, size in (
        ("payee_street_1", "street_1", 34),
        ("payee_street_2", "street_2", 34),
        ("payee_city", "city", 30),
        ("payee_state", "state", 2),
        ("payee_zip", "zip_code", 9),
    ):
        out[key] = text_checked(
            cells.get(column, ""), field=column, code=code, max_length=size, required=False
        )
    out["state"] = out["state"].upper()
    return out


def _parse(line: int, cells: dict[str, str], org_unit_id: int, committee_id: int | None) -> _Row:
    code = errors.DISBURSEMENT_INVALID
    fec_code = cells.get("category_code", "").strip()
    if fec_code.isdigit():
        fec_code = fec_code.zfill(3)
    ours = cells.get("budget_category", "").strip()
    category = ours or CATEGORY_FROM_FEC.get(fec_code, SpendCategory.OVERHEAD)
    entry = DisbursementInput(
        vendor_id=0,
        paid_on=_date(cells["expenditure_date"]),
        amount_cents=cents_from_dollars(cells["expenditure_amount"], field="expenditure_amount"),
        category=category,
        org_unit_id=org_unit_id,
        purpose=cells["expenditure_purpose_descrip"],
        transaction_id=cells["transaction_id"].strip(),
        fec_category_code=fec_code,
        memo=cells.get("memo_code", "").strip().upper() == "X",
        committee_id=committee_id,
    )
    if not entry.transaction_id:
        raise ValidationFailed(
            "Every row needs its transaction_id.", code=code, field="transaction_id"
        )
    return _Row(line, _vendor_fields(cells), disbursement_checked(entry))


def _same(row: Disbursement, entry: DisbursementInput, vendor_name: str) -> bool:
    return (
        row.vendor.name == vendor_name
        and row.paid_on == entry.paid_on
        and row.amount_cents == entry.amount_cents
        and row.purpose == entry.purpose
    )


def _reader(data: bytes) -> Iterable[tuple[int, dict[str, str]]]:
    if bytes_have_control_characters(data):
        raise ValidationFailed(
            "The file holds control characters (such as NUL); is it a CSV?",
            code=errors.DISBURSEMENT_FILE_INVALID,
            field="file",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationFailed(
            f"The header lacks {', '.join(missing)}: is this a Schedule B file?",
            code=errors.DISBURSEMENT_FILE_INVALID,
            field="file",
        )
    reader.fieldnames = header
    for n, raw in enumerate(reader, start=2):
        if n - 1 > MAX_ROWS:
            raise ValidationFailed(
                f"At most {MAX_ROWS:,} rows a file.",
                code=errors.DISBURSEMENT_FILE_INVALID,
                field="file",
            )
        if None in raw:
            yield n, {"__extra__": "1"}
            continue
        yield n, {k: (v or "") for k, v in raw.items()}


def disbursements_import(
    *, actor: Actor, data: bytes, org_unit_id: int, committee_id: int | None = None
) -> ImportReport:
    """Import a Schedule B CSV of one unit's (and committee's) payments; returns what landed
    and what was refused."""
    unit_checked(actor, org_unit_id)
    report = ImportReport()
    rows: dict[str, _Row] = {}
    for line, cells in _reader(data):
        if "__extra__" in cells:
            report.problems.append(RowProblem(line, "", "The row has more cells than the header."))
            continue
        try:
            row = _parse(line, cells, org_unit_id, committee_id)
        except ApplicationError as exc:
            report.problems.append(RowProblem(line, exc.field or "", exc.message))
            continue
        tid = row.entry.transaction_id
        first = rows.get(tid)
        if first is not None:
            if (first.entry, first.vendor) != (row.entry, row.vendor):
                report.problems.append(
                    RowProblem(line, "transaction_id", f"{tid} is used by line {first.line} too.")
                )
            else:
                report.unchanged += 1
            continue
        rows[tid] = row
    with transaction.atomic():
        existing = {
            d.transaction_id: d
            for d in Disbursement.objects.filter(transaction_id__in=list(rows)).select_related(
                "vendor"
            )
        }
        new: list[_Row] = []
        for tid, row in rows.items():
            known = existing.get(tid)
            if known is None:
                new.append(row)
            elif _same(known, row.entry, row.vendor["name"]):
                report.unchanged += 1
            else:
                report.problems.append(
                    RowProblem(
                        row.line,
                        "transaction_id",
                        f"{tid} is already recorded as a different payment.",
                    )
                )
        vendors = _vendors(row.vendor for row in new)
        Disbursement.objects.bulk_create(
            disbursement_row(_with_vendor(row.entry, vendors[row.vendor["name"]])) for row in new
        )
        report.created = len(new)
        report.problems.sort(key=lambda p: p.line)
        audit_record(
            actor=actor,
            kind=AuditKind.CREATE,
            action="disbursement.import",
            entity_type="money.disbursement",
            summary=(
                f"{report.created} imported, {report.unchanged} already there, "
                f"{len(report.problems)} refused"
            ),
        )
        if new:
            from groundgame.money import cashflow

            transaction.on_commit(cashflow.forecast_mark_stale, robust=True)
    return report


def _with_vendor(entry: DisbursementInput, vendor_id: int) -> DisbursementInput:
    return DisbursementInput(**{**entry.__dict__, "vendor_id": vendor_id})


def _vendors(wanted: Iterable[dict[str, str]]) -> dict[str, int]:
    """The vendors these rows name, by name, creating those not known yet."""
    by_name = {v["name"]: v for v in wanted}
    known = dict(Vendor.objects.filter(name__in=list(by_name)).values_list("name", "pk"))
    Vendor.objects.bulk_create(Vendor(**v) for name, v in by_name.items() if name not in known)
    return dict(Vendor.objects.filter(name__in=list(by_name)).values_list("name", "pk"))
