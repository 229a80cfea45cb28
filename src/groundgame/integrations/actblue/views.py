"""The staff page that imports ActBlue's contributions export, and its progress."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.integrations.actblue import csv_import as importer
from groundgame.integrations.actblue.models import ImportRun, Receipt

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@staff_required
@require_http_methods(["GET", "POST"])
def csv_import(request: HttpRequest) -> HttpResponse:
    scope = request.staff_scope  # type: ignore[attr-defined]
    error = ""
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error, status = "Choose the export file (CSV) to import.", 400
        elif upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            error, status = "The file is over 50 MB: split it by date.", 413
        else:
            try:
                text = upload.read().decode("utf-8-sig")
                run = importer.import_run_start(
                    actor=request.user, filename=upload.name or "export.csv", text=text
                )
            except UnicodeDecodeError:
                error, status = "The file is not UTF-8 text: save it as CSV (UTF-8).", 400
            except ApplicationError as exc:
                error, status = exc.message, exc.status
            else:
                return redirect("actblue_csv_import_run", run_id=run.pk)
    allowed = scope.money_everywhere
    # Webhook line items the ledger refused after the 200 (a committee or election not set
    # up yet): kept with their reason, shown here to be fixed and sent again.
    refused = Receipt.objects.exclude(error="").order_by("-pk")[:20] if allowed else []
    runs = ImportRun.objects.defer("content").order_by("-pk")[:10] if allowed else []
    return render(
        request,
        "actblue/import.html",
        {"error": error, "runs": runs, "refused": refused, "allowed": allowed},
        status=status,
    )


@staff_required
def csv_import_run(request: HttpRequest, run_id: int) -> HttpResponse:
    if not request.staff_scope.money_everywhere:  # type: ignore[attr-defined]
        return render(request, "actblue/import.html", {"allowed": False}, status=403)
    run = get_object_or_404(ImportRun.objects.defer("content"), pk=run_id)
    running = run.status in (ImportRun.Status.QUEUED, ImportRun.Status.RUNNING)
    percent = round(100 * run.done / run.rows) if run.rows else 0
    return render(
        request,
        "actblue/import_run.html",
        {"run": run, "running": running, "percent": percent},
    )
