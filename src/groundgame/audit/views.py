from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from groundgame.audit import selectors
from groundgame.audit.forms import AuditFilterForm
from groundgame.core.decorators import admin_required


@admin_required
def event_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = selectors.AuditFilter()
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            filters = selectors.AuditFilter(
                actor=data["actor"],
                kind=data["kind"],
                action=data["action"],
                entity_type=data["entity_type"],
                entity_id=data["entity_id"],
                since=data["since"],
                until=data["until"],
            )
        else:
            status = 400
    events = selectors.audit_event_list(filters).select_related("actor")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    active = any(v for k, v in request.GET.items() if k != "page")
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": active,
            "valid": status == 200,
        },
        status=status,
    )
