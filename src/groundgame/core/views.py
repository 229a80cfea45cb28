"""The liveness probe and the error pages. Error pages never show a traceback."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from groundgame import __version__
from groundgame.core.models import BEAT_SECONDS, MISSED_ROUNDS, WorkerHeartbeat

BEAT_STALE_AFTER = dt.timedelta(seconds=BEAT_SECONDS * MISSED_ROUNDS)


def _database_status() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the message says which
        return {"ok": False, "vendor": connection.vendor, "error": str(exc).splitlines()[0][:200]}
    return {"ok": True, "vendor": connection.vendor}


def _sweeping(worker: WorkerHeartbeat, now: dt.datetime) -> bool:
    """Whether the worker's sweeper has succeeded lately (or is only just starting)."""
    last = worker.swept_at or worker.started_at
    stale_after = dt.timedelta(seconds=settings.GROUNDGAME_SWEEP_SECONDS * MISSED_ROUNDS)
    return now - last <= stale_after


def _worker_status() -> dict[str, Any]:
    """The workers whose heartbeat is fresh; the part is ok when one of them also sweeps."""
    now = timezone.now()
    try:
        fresh = WorkerHeartbeat.objects.filter(beat_at__gte=now - BEAT_STALE_AFTER)
        workers = [
            {
                "id": w.worker_id,
                "host": w.hostname,
                "pid": w.pid,
                "backend": w.backend,
                "last_beat": w.beat_at.isoformat(),
                "last_sweep": w.swept_at.isoformat() if w.swept_at else None,
                "sweeping": _sweeping(w, now),
            }
            for w in fresh.order_by("worker_id")
        ]
    except Exception as exc:  # the database being down is reported above
        return {"ok": False, "count": 0, "workers": [], "error": str(exc).splitlines()[0][:200]}
    ok = any(w["sweeping"] for w in workers)
    return {"ok": ok, "count": len(workers), "workers": workers}


def _public(body: dict[str, Any]) -> dict[str, Any]:
    """What anyone may read: whether each part works, without the host names, process ids
    and error messages (which name servers) that only staff see."""
    return {
        **body,
        "database": {"ok": body["database"]["ok"]},
        "worker": {"ok": body["worker"]["ok"], "count": body["worker"]["count"]},
    }


@never_cache
@require_GET
def liveness(request: HttpRequest) -> JsonResponse:
    """200 when the database answers; the worker's state is reported beside it.

    A missing worker does not fail the check (the web keeps taking sign-ups, which wait in the
    queue), but ``status`` says "degraded" so that monitoring sees it. Signed-in staff also
    see each worker's host, process and backend, and the database's error.
    """
    database = _database_status()
    worker = _worker_status() if database["ok"] else {"ok": False, "count": 0, "workers": []}
    status = "ok" if database["ok"] and worker["ok"] else ("degraded" if database["ok"] else "down")
    body = {"status": status, "version": __version__, "database": database, "worker": worker}
    # Who is asking is read from the database: while it is down, everyone gets the public body.
    scope = getattr(request, "staff_scope", None) if database["ok"] else None
    if scope is None or not scope.is_staff:
        body = _public(body)
    return JsonResponse(body, status=200 if database["ok"] else 503)


def _error_page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": f"http_{status}", "message": message, "field": None}, status=status
        )
    return render(
        request,
        "core/error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 400, "Bad request", "The request could not be understood.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, 403, "Not allowed", "Your role does not give access to this page.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(
        request, 404, "Not found", "There is nothing here, or it is outside your units."
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page(
        request,
        500,
        "Something went wrong",
        "The error has been logged. Try again in a moment; nothing you sent was half-saved.",
    )
