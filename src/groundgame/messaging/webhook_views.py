"""Provider webhooks: SMS status callbacks and inbound texts (Twilio's shapes), and email
delivery events. Each checks the signature first and answers 403 ``signature_invalid``."""

from __future__ import annotations

import urllib.parse
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from groundgame.core import json_body, text
from groundgame.core.errors import ApplicationError
from groundgame.messaging import errors, webhooks
from groundgame.messaging.services import delivery

# Twilio's message statuses that are a delivery report.
_SMS_STATUS = {"delivered": "delivered", "undelivered": "failed", "failed": "failed"}


def _error(code: str, message: str, status: int, field: str | None = None) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "field": field}, status=status)


def _sms_token() -> str:
    url = settings.GROUNDGAME_SMS_URL
    return urllib.parse.unquote(urllib.parse.urlsplit(url).password or "") if url else ""


def _twilio_checked(request: HttpRequest) -> dict[str, str] | None:
    form = {key: request.POST.get(key, "") for key in request.POST}
    # The provider signs the address it called, which is our public address.
    url = settings.GROUNDGAME_PUBLIC_URL.rstrip("/") + request.get_full_path()
    signature = request.headers.get("X-Twilio-Signature", "")
    return form if webhooks.twilio_valid(_sms_token(), url, form, signature) else None


@csrf_exempt
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    form = _twilio_checked(request)
    if form is None:
        return _error(errors.SIGNATURE_INVALID, "The signature does not match.", 403)
    kind = _SMS_STATUS.get(form.get("MessageStatus", ""))
    if kind is None:
        return HttpResponse(status=204)  # queued, sent, ...: nothing to record
    sid = form.get("MessageSid", "")
    if not sid:
        return _error(errors.EVENT_INVALID, "MessageSid is missing.", 422, "MessageSid")
    try:
        delivery.delivery_event_record(
            kind=kind,
            provider_event_id=f"{sid}:{form.get('MessageStatus')}",
            provider_message_id=sid,
            address=form.get("To", ""),
            detail=form.get("ErrorCode", ""),
        )
    except ApplicationError as exc:
        return _error(exc.code, exc.message, exc.status, exc.field)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """A text to our number. The reply (to STOP, START, HELP) goes back as TwiML."""
    form = _twilio_checked(request)
    if form is None:
        return _error(errors.SIGNATURE_INVALID, "The signature does not match.", 403)
    missing = [k for k in ("MessageSid", "From", "Body") if k not in form]
    if missing:
        return _error(errors.EVENT_INVALID, f"{missing[0]} is missing.", 422, missing[0])
    try:
        reply = delivery.inbound_text_receive(
            provider_id=form["MessageSid"],
            from_number=form["From"],
            to_number=form.get("To", ""),
            body=form["Body"],
        )
    except ApplicationError as exc:
        # Named as the provider named it, in its form.
        field = {"from_number": "From"}.get(exc.field or "", exc.field)
        return _error(exc.code, exc.message, exc.status, field)
    message = f"<Message>{escape(reply)}</Message>" if reply else ""
    return HttpResponse(
        f'<?xml version="1.0" encoding="UTF-8"?><Response>{message}</Response>',
        content_type="application/xml",
    )


@csrf_exempt
@require_POST
def email_events(request: HttpRequest) -> HttpResponse:
    """``{"events": [{"id", "event", "message_id", "recipient", "detail"}]}``, signed."""
    signature = request.headers.get("X-Groundgame-Signature", "")
    if not webhooks.body_valid(settings.GROUNDGAME_WEBHOOK_SECRET, request.body, signature):
        return _error(errors.SIGNATURE_INVALID, "The signature does not match.", 403)
    try:
        # Signed, but still refused when nested too deep (or not JSON), and made storable: one
        # event's NUL or half an emoji would fail the insert of every event in the batch.
        payload: Any = text.storable_json(json_body.loads(request.body))
        events = payload["events"]
        if not isinstance(events, list):
            raise TypeError
    except (ApplicationError, KeyError, TypeError):
        return _error(errors.EVENT_INVALID, 'Expected {"events": [...]}.', 422, "events")
    reports = []
    for number, event in enumerate(events):
        if not isinstance(event, dict):
            where = f"events[{number}]"
            return _error(errors.EVENT_INVALID, f"{where} is not an object.", 422, where)
        reports.append(
            delivery.Report(
                kind=str(event.get("event", "")),
                provider_event_id=str(event.get("id", "")),
                provider_message_id=str(event.get("message_id", "")),
                address=str(event.get("recipient", "")),
                detail=str(event.get("detail", "")),
            )
        )
    try:
        recorded = delivery.delivery_events_record(reports=reports)
    except ApplicationError as exc:
        return _error(exc.code, exc.message, exc.status, exc.field)
    return JsonResponse({"recorded": recorded})
