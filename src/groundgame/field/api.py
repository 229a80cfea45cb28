"""The canvassing app's API: download a walk list and sync results, with the list code as the
only credential (canvassers have no account).

Mounted at ``/api/field/`` with ``auth=None``, which documents it; everything else on the API
needs a staff session. The sync body is read here rather than by a schema so that the size
limit applies before any parsing and each bad result is answered on its own row instead of
failing the whole batch.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from groundgame.core import client_address, json_body, text
from groundgame.core.api_types import CleanStr
from groundgame.core.errors import ApplicationError, RateLimited, ValidationFailed
from groundgame.field import errors, services

router = Router(tags=["canvass"], auth=None)

# 200 results of about 1 KB each (notes up to 2,000 characters are rare), with room to spare.
MAX_BODY_BYTES = 512 * 1024


@router.get("/lists/{code}", auth=None, summary="Download a walk list")
def walk_list_download(request: HttpRequest, code: CleanStr) -> HttpResponse:
    """The doors in walking order with the people living there, the current approved script
    with its survey questions, the literature, and the outcomes and support levels the app
    records. Errors: 404
    ``walk_list_not_found``, 410 ``walk_list_closed`` or ``walk_list_expired``."""
    try:
        bundle = services.walk_list_open(code=code)
    except ApplicationError as exc:
        return exc.json_response()
    response = JsonResponse(bundle)
    # Names and addresses: kept by the app in its own storage, never by a shared cache.
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/sync",
    auth=None,
    summary="Sync results recorded offline",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "example": {
                            "list_code": "K7QM4TXW",
                            "results": [
                                {
                                    "client_id": "0b5f7c1e-6f0e-4a43-9c55-2d7f3a1c9e10",
                                    "household_id": 101,
                                    "person_id": 2001,
                                    "outcome": "talked",
                                    "support": 2,
                                    "answers": {
                                        "issues": ["inflation", "housing"],
                                        "vote_plan": "early",
                                    },
                                    "notes": "Wants a yard sign.",
                                    "do_not_contact": "",
                                    "recorded_at": "2026-10-31T15:04:05.123Z",
                                    "latitude": 35.994,
                                    "longitude": -78.899,
                                    "script_version": 12,
                                    "canvasser_name": "Maya",
                                }
                            ],
                        },
                    }
                }
            }
        },
    },
)
def canvass_sync(request: HttpRequest) -> HttpResponse:
    """Store a batch of results. 200 means every accepted row is committed; each row says
    ``accepted``, ``duplicate`` (its ``client_id`` was stored before: a replay changes
    nothing) or ``rejected`` with a ``code``, ``field`` and ``message`` (kept for staff to
    review). ``answers`` maps the keys of the script version's questions to answers: an
    option's key (one choice), a list of them (several), a whole number (scale) or text;
    each is checked against that version's questions (``answer_question_unknown``,
    ``answer_invalid``, ``answer_required``, field ``answers.<key>``). Rows may carry
    ``warnings`` (``script_version_stale``). ``refused`` names the
    ``households`` and ``people`` of the list that the contact rule now refuses: the app
    drops them from its copy. Errors of the whole request: 400 ``invalid_json`` or
    ``json_too_deep``, 404 ``walk_list_not_found`` (nothing is kept), 413
    ``payload_too_large``, 422 ``batch_invalid`` or ``batch_too_large``, 429
    ``canvass_sync_rate_limited`` with Retry-After (too many syncs from one address)."""
    wait = services.canvass_sync_wait(client=client_address.of(request))
    if wait:
        return RateLimited(
            "Too many syncs from your network just now; the app retries by itself.",
            code=errors.CANVASS_SYNC_RATE_LIMITED,
            retry_after=wait,
        ).json_response()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_BODY_BYTES + 1
    if length > MAX_BODY_BYTES:
        return errors.PayloadTooLarge(
            f"A sync batch is at most {MAX_BODY_BYTES // 1024} KB; send fewer results."
        ).json_response()
    try:
        list_code, results = _batch(request)
        answer = services.canvass_sync(list_code=list_code, results=results)
    except ApplicationError as exc:
        return exc.json_response()
    return JsonResponse(
        {
            "list_code": answer.list_code,
            "accepted": answer.count(services.ACCEPTED),
            "duplicate": answer.count(services.DUPLICATE),
            "rejected": answer.count(services.REJECTED),
            "script_version": answer.script_version_id,
            "refused": {
                "households": sorted(answer.refused.households),
                "people": sorted(answer.refused.people),
            },
            "results": [
                {
                    "client_id": row.client_id,
                    "status": row.status,
                    **(
                        {"code": row.code, "field": row.field, "message": row.message}
                        if row.code
                        else {}
                    ),
                    **({"warnings": list(row.warnings)} if row.warnings else {}),
                }
                for row in answer.rows
            ],
        }
    )


def _batch(request: HttpRequest) -> tuple[str, list[Any]]:
    # Text no database stores (a pasted NUL, half an emoji) is dropped or replaced, not
    # refused, and so is a number that is not finite: one would fail the whole batch's
    # insert, rejected rows' payloads included. The row's own checks still refuse what is
    # left of a bad value (a coordinate that is no number), on that row alone.
    body = text.storable_json(json_body.loads(request.body))
    if not isinstance(body, dict):
        raise ValidationFailed("The body must be a JSON object.", code=errors.BATCH_INVALID)
    list_code, results = body.get("list_code"), body.get("results")
    if not isinstance(list_code, str) or not list_code.strip():
        raise ValidationFailed(
            "list_code: give the code of the walk list.",
            code=errors.BATCH_INVALID,
            field="list_code",
        )
    if not isinstance(results, list):
        raise ValidationFailed(
            "results: a list of results.", code=errors.BATCH_INVALID, field="results"
        )
    if len(results) > services.MAX_BATCH:
        raise ValidationFailed(
            f"results: at most {services.MAX_BATCH} per batch.",
            code=errors.BATCH_TOO_LARGE,
            field="results",
        )
    return list_code, results
