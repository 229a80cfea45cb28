"""The public sign-up API: no session, an Idempotency-Key header on every request.

Mounted on the main API with ``auth=None``, which documents it; everything else there needs a
staff session. Requests are served by ``middleware.PublicSignupMiddleware`` ahead of the
session, CSRF and authentication middleware and of the API's routing. The body is read here
rather than by a schema so that the size limit applies before any parsing and every problem
gets this API's stable codes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router

from groundgame.core import client_address, json_body, text
from groundgame.core.errors import ApplicationError
from groundgame.volunteers import errors, selectors, services, signups

router = Router(tags=["public"], auth=None)


@router.post(
    "/signups/{slug}",
    auth=None,
    summary="Sign up a volunteer",
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": True,
                "schema": {"type": "string", "minLength": 8, "maxLength": 64},
            },
        ],
        "requestBody": {
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "example": {
                            "first_name": "Maya",
                            "last_name": "Lopez",
                            "email": "maya@example.org",
                            "phone": "919-555-0123",
                            "zip5": "27701",
                            "answers": {},
                            "consents": ["volunteering"],
                            "source": "partner-site",
                            "ref": "",
                        },
                    }
                }
            }
        },
    },
)
def signup_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Commit one sign-up; 201 means it is durable (the volunteer's person, team and follow-up
    are created by a worker within seconds). Repeating a request with the same
    ``Idempotency-Key`` returns the same 201 body (with ``Idempotent-Replayed: true``) and
    creates nothing. Errors: 400 ``idempotency_key_required``/``idempotency_key_invalid``/
    ``invalid_json``/``json_too_deep``, 404 ``signup_form_not_found``, 409
    ``signup_form_closed``, 413 ``payload_too_large``, 422 ``signup_invalid`` naming the field, 429
    ``intake_rate_limited`` with Retry-After."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = settings.GROUNDGAME_SIGNUP_MAX_BODY_BYTES + 1
    if length > settings.GROUNDGAME_SIGNUP_MAX_BODY_BYTES:
        return JsonResponse(
            {
                "code": errors.PAYLOAD_TOO_LARGE,
                "message": f"A sign-up is at most {settings.GROUNDGAME_SIGNUP_MAX_BODY_BYTES} "
                "bytes.",
                "field": None,
            },
            status=413,
        )
    # A slug with bad text is no form's, and PostgreSQL could not even look for it.
    form = None if text.text_problem(slug) else selectors.signup_form_public(slug)
    if form is None:
        return errors.NotFound(
            "No sign-up form at this address.", code=errors.SIGNUP_FORM_NOT_FOUND
        ).json_response()
    key = request.headers.get("Idempotency-Key", "")
    try:
        body = _body(request)
        wait = signups.signup_wait(client=client_address.of(request), form_slug=slug)
        if wait:
            return errors.RateLimited(
                "Too many sign-ups; retry after the time in Retry-After.",
                code=errors.SIGNUP_RATE_LIMITED,
                retry_after=wait,
            ).json_response()
        submission, created = services.signup_submit(
            form=form,
            idempotency_key=key,
            fields={
                k: body.get(k)
                for k in ("first_name", "last_name", "email", "phone", "zip5", "street")
            },
            answers=answers if isinstance(answers := body.get("answers"), dict) else {},
            consents=consents if isinstance(consents := body.get("consents", []), list) else [None],
            source=str(body.get("source") or ""),
            referral_code=str(body.get("ref") or ""),
            client=client_address.of(request),
        )
    except ApplicationError as exc:
        return exc.json_response()
    # Only what is fixed at commit, so that a replay answers exactly the same body; the
    # person and team are resolved by a worker seconds later.
    response = JsonResponse(
        {
            "id": submission.pk,
            "created_at": submission.created_at.isoformat(),
            "share_path": services.signup_share_path(form, submission_id=submission.pk),
        },
        status=201,
    )
    if not created:
        response["Idempotent-Replayed"] = "true"
    return response


def _body(request: HttpRequest) -> dict[str, Any]:
    body = json_body.loads(request.body)
    if not isinstance(body, dict):
        raise ApplicationError("The body must be a JSON object.", code=errors.INVALID_JSON)
    return body
