"""Staff review of the canvass: results flagged as possibly fabricated, and results the sync
rejected. Scoped like personal data: each organizer sees their units."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.field import selectors, services
from groundgame.organizing.selectors import StaffScope

# A page of the oldest first: a reviewer works through them from the top.
PAGE = 200


def _scope(request: HttpRequest) -> StaffScope:
    return request.staff_scope  # type: ignore[attr-defined, no-any-return]


@staff_required
def review(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    flagged = selectors.flagged_result_list(scope=scope)
    rejections = selectors.open_rejection_list(scope=scope)
    return render(
        request,
        "field/review.html",
        {
            "flagged": list(flagged[:PAGE]),
            "flagged_count": flagged.count(),
            # Each with what the phone sent, as the JSON it sent.
            "rejections": [
                (j, json.dumps(j.payload, ensure_ascii=False)) for j in rejections[:PAGE]
            ],
            "rejection_count": rejections.count(),
        },
    )


@staff_required
@require_POST
def result_decide(request: HttpRequest, result_id: int) -> HttpResponse:
    genuine = request.POST.get("decision") == "genuine"
    try:
        services.canvass_result_review(actor=request.user, result_id=result_id, genuine=genuine)
    except ApplicationError as exc:
        # Not found and outside the reviewer's units look the same: scope reveals nothing.
        raise Http404(exc.message) from None
    messages.success(
        request, "Result confirmed as genuine." if genuine else "Result marked not genuine."
    )
    return redirect("field_review:review")


@staff_required
@require_POST
def rejection_resolve(request: HttpRequest, rejection_id: int) -> HttpResponse:
    try:
        services.sync_rejection_resolve(actor=request.user, rejection_id=rejection_id)
    except ApplicationError as exc:
        raise Http404(exc.message) from None
    messages.success(request, "Rejected result marked as reviewed.")
    return redirect("field_review:review")
