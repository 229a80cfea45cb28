"""Background jobs of the ActBlue integration: thin, each calls the intake."""

from __future__ import annotations

from django_tasks import task

from groundgame.integrations.actblue import csv_import, intake


@task()
def receipts_drain() -> int:
    return intake.receipts_drain()


@task()
def import_run_execute(run_id: int) -> None:
    csv_import.import_run_execute(run_id=run_id)
