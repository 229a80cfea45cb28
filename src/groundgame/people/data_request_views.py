"""A person's requests about their data, from their page: national admins download
everything held about them as JSON, or erase them with the request named."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from groundgame.core.decorators import admin_required
from groundgame.core.errors import ApplicationError, NotFound
from groundgame.people.services import data_requests


@admin_required
@require_GET
def person_export(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        document = data_requests.person_export(actor=request.user, person_id=person_id)
    except NotFound:
        raise Http404("No such person.") from None
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="person-{person_id}.json"'
    return response


@admin_required
@require_POST
def person_erase(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        erasure = data_requests.person_erase(
            actor=request.user, person_id=person_id, reason=request.POST.get("reason", "")
        )
    except NotFound:
        raise Http404("No such person.") from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("people:detail", person_id=person_id)
    rows = sum(erasure.changed.values())
    messages.success(
        request,
        f"Person #{person_id} erased ({rows:,} rows changed). They stay on do-not-contact.",
    )
    return redirect("people:detail", person_id=person_id)
