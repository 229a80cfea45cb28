"""Import ActBlue's contributions export (the 91-column CSV; see ``parse.csv_line_item``).

Each row lands in its own transaction through ``money.services.line_item_record``: every good
row lands, every bad row is reported with its line in the file and the reason, and a row
never lands in part. The line item is the key, so importing the same file twice, or a file
whose gifts came by webhook already, changes nothing; a refunded gift's row amends it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from django.db import DatabaseError, transaction
from django.utils import timezone

from groundgame.audit import services as audit
from groundgame.audit.services import Actor
from groundgame.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from groundgame.integrations.actblue import parse
from groundgame.integrations.actblue.models import ImportRun
from groundgame.money import services as money
from groundgame.organizing import selectors as organizing

MAX_ROWS = 500_000
PROGRESS_EVERY = 200


@dataclass
class ImportReport:
    rows: int = 0
    landed: int = 0
    unchanged: int = 0
    # (line in the file, the header being line 1; reason)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _reader(text: str) -> tuple[list[str], csv.DictReader[str]]:
    stream = io.StringIO(text.lstrip("\ufeff"), newline="")
    reader = csv.DictReader(stream)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in parse.CSV_REQUIRED if c not in header]
    if missing:
        raise ValidationFailed(
            f"This is not ActBlue's contributions export: no {', '.join(missing)} column.",
            code="actblue_csv_invalid",
            field="file",
        )
    reader.fieldnames = header
    return header, reader


def rows_count(text: str) -> int:
    _reader(text)
    return max(0, sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1)


def contributions_import(
    *,
    actor: Actor,
    text: str,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import every row of the export; a file without the export's columns is refused whole."""
    _, reader = _reader(text)
    report = ImportReport()
    try:
        for row in reader:
            line = reader.line_num
            report.rows += 1
            if report.rows > MAX_ROWS:
                report.rejected.append((line, f"past {MAX_ROWS} rows: split the file"))
                break
            _import_row(actor, row, line, report)
            if progress is not None and report.rows % PROGRESS_EVERY == 0:
                progress(report)
    except csv.Error as exc:
        report.rejected.append((reader.line_num, f"not readable as CSV ({exc})"))
    with transaction.atomic():
        audit.audit_record(
            actor=actor,
            kind=audit.Kind.BULK,
            action="actblue.csv_import",
            entity_type="money.contribution",
            summary=f"{report.rows} rows: {report.landed} landed, {report.unchanged} unchanged, "
            f"{len(report.rejected)} rejected",
        )
    return report


def _import_row(actor: Actor, row: dict[str, str], line: int, report: ImportReport) -> None:
    if None in row:
        report.rejected.append((line, "more cells than the header has columns"))
        return
    try:
        item = parse.csv_line_item(row)
        recorded = money.line_item_record(
            actor=actor, gift=item.gift, adjustment=item.adjustment, source="csv"
        )
    except ApplicationError as exc:
        where = f"{exc.field}: " if exc.field and not exc.message.startswith(exc.field) else ""
        report.rejected.append((line, f"{where}{exc.message}"))
        return
    except DatabaseError as exc:
        report.rejected.append((line, f"could not be saved ({exc.__class__.__name__})"))
        return
    if recorded.created or recorded.adjusted:
        report.landed += 1
    else:
        report.unchanged += 1


def import_run_start(*, actor: Actor, filename: str, text: str) -> ImportRun:
    """Keep an uploaded export and ask a worker to import it. The import touches donors in
    every unit, so it takes the finance role at the national level (or a national admin)."""
    from groundgame.integrations.actblue import tasks

    if not organizing.staff_scope(actor).money_everywhere:
        raise PermissionDenied(
            "Importing the ActBlue export needs the national finance role.",
            code="money_denied",
        )
    rows = rows_count(text)
    with transaction.atomic():
        run = ImportRun.objects.create(
            created_by_id=getattr(actor, "pk", None),
            filename=filename[:200],
            content=text,
            rows=rows,
        )
        audit.audit_create(actor=actor, action="actblue.import_start", instance=run)
        transaction.on_commit(partial(tasks.import_run_execute.enqueue, run.pk), robust=True)
    return run


def import_run_execute(*, run_id: int) -> ImportRun:
    """Import a kept upload, saving the progress as it goes; a run already taken is left."""
    with transaction.atomic():
        taken = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED).update(
            status=ImportRun.Status.RUNNING
        )
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if not taken:
        return run

    def progress(report: ImportReport) -> None:
        ImportRun.objects.filter(pk=run_id).update(
            done=report.rows, landed=report.landed, unchanged=report.unchanged
        )

    try:
        report = contributions_import(actor=run.created_by, text=run.content, progress=progress)
    except ApplicationError as exc:
        run.status, run.message = ImportRun.Status.FAILED, exc.message[:300]
    else:
        run.status = ImportRun.Status.DONE
        run.done, run.landed, run.unchanged = report.rows, report.landed, report.unchanged
        run.rejected = [list(r) for r in report.rejected]
    run.content = ""
    run.finished_at = timezone.now()
    run.save()
    return run
