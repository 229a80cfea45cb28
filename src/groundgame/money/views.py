"""The money pages: the ledger with its filters and CSV export, one donation, and the queue of
donors over the contribution limit. Totals are for all staff; donors and their gifts only for
the finance role over them (and national admins), every read logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from groundgame.core import exports
from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.core.money import format_cents
from groundgame.money import errors, selectors, services
from groundgame.money.models import Contribution
from groundgame.organizing.selectors import StaffScope

PAGE = 50


def _scope(request: HttpRequest) -> StaffScope:
    return request.staff_scope  # type: ignore[attr-defined, no-any-return]


def _sees_donors(scope: StaffScope) -> bool:
    return scope.money_everywhere or bool(scope.finance_paths)


def _day(value: str, field: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise errors.ValidationFailed(
            f"{value!r} is not a date (YYYY-MM-DD).", code="ledger_filter_invalid", field=field
        ) from None
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _filtered(request: HttpRequest) -> tuple[QuerySet[Contribution], dict[str, str]]:
    """The ledger's rows the filters of the query string keep (before scope)."""
    asked = {
        k: request.GET.get(k, "").strip()[:100]
        for k in ("q", "committee", "refcode", "source", "since", "until", "kind")
    }
    rows = Contribution.objects.order_by("-paid_at", "-pk")
    if asked["committee"]:
        if not asked["committee"].isdigit():
            raise errors.ValidationFailed(
                "Choose a committee from the list.", code="ledger_filter_invalid", field="committee"
            )
        rows = rows.filter(committee_id=int(asked["committee"]))
    if asked["refcode"]:
        rows = rows.filter(refcode=asked["refcode"])
    if asked["source"]:
        rows = rows.filter(source=asked["source"])
    since, until = _day(asked["since"], "since"), _day(asked["until"], "until")
    if since:
        rows = rows.filter(paid_at__gte=since)
    if until:
        rows = rows.filter(paid_at__lt=until + dt.timedelta(days=1))
    if asked["kind"] == "refunded":
        rows = rows.filter(adjustments__isnull=False).distinct()
    elif asked["kind"] == "recurring":
        rows = rows.filter(recurring_plan__isnull=False)
    if asked["q"]:
        q = asked["q"]
        rows = rows.filter(Q(last_name__istartswith=q) | Q(line_item_id=q) | Q(order_number=q))
    return rows, asked


@staff_required
def ledger(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    try:
        rows, asked = _filtered(request)
    except ApplicationError as exc:
        return render(request, "money/ledger.html", {"error": exc}, status=exc.status)
    # The totals of what the filters keep are aggregates: every staff member sees them.
    totals = rows.aggregate(gross=Sum("amount_cents"))
    count = rows.count()
    context: dict[str, Any] = {
        "asked": asked,
        "count": count,
        "gross": format_cents(totals["gross"] or 0),
        "committees": selectors.committee_list(),
        "sources": Contribution.Source.choices,
        "sees_donors": _sees_donors(scope),
        "excess_open": selectors.limit_excess_open_count(),
        "query": request.GET.urlencode(),
    }
    if context["sees_donors"]:
        visible = rows.filter(scope.money_filter("person__org_unit__path"))
        page = Paginator(visible, PAGE).get_page(request.GET.get("page"))
        context["page"] = page
        context["rows"] = services.ledger_page(
            actor=request.user,
            scope=scope,
            rows=visible.filter(pk__in=[c.pk for c in page.object_list]),
            query=request.GET.urlencode(),
        )
    return render(request, "money/ledger.html", context)


@staff_required
def ledger_csv(request: HttpRequest) -> HttpResponse:
    """The rows the filters keep that the viewer may see, as CSV; the read is logged."""
    scope = _scope(request)
    if not _sees_donors(scope):
        return render(request, "money/ledger.html", {"denied": True}, status=403)
    try:
        rows, _ = _filtered(request)
    except ApplicationError as exc:
        return render(request, "money/ledger.html", {"error": exc}, status=exc.status)
    shown = services.ledger_page(
        actor=request.user, scope=scope, rows=rows, query=f"csv {request.GET.urlencode()}"
    )

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="contributions.csv"'
    writer = exports.Writer(response)
    writer.writerow(CSV_COLUMNS)
    for c in shown:
        writer.writerow(
            [
                c.line_item_id,
                c.order_number,
                c.paid_at.isoformat(),
                _dollars(c.amount_cents),
                c.committee.fec_id,
                c.election.code,
                c.first_name,
                c.last_name,
                c.city,
                c.state,
                c.zip_code,
                c.employer,
                c.occupation,
                c.refcode,
                c.source,
            ]
        )
    return response


CSV_COLUMNS = [
    "line_item_id",
    "order_number",
    "paid_at",
    "amount",
    "committee_fec_id",
    "election",
    "first_name",
    "last_name",
    "city",
    "state",
    "zip",
    "employer",
    "occupation",
    "refcode",
    "source",
]


def _dollars(cents: int) -> str:
    whole, part = divmod(cents, 100)
    return f"{whole}.{part:02d}"


@staff_required
def contribution_detail(request: HttpRequest, contribution_id: int) -> HttpResponse:
    try:
        contribution = services.contribution_open(
            actor=request.user, scope=_scope(request), contribution_id=contribution_id
        )
    except ApplicationError as exc:
        return render(request, "money/contribution.html", {"error": exc}, status=exc.status)
    adjustments = list(contribution.adjustments.order_by("at"))
    taken = sum(a.amount_cents for a in adjustments)
    return render(
        request,
        "money/contribution.html",
        {
            "c": contribution,
            "amount": format_cents(contribution.amount_cents),
            "adjustments": [(a, format_cents(a.amount_cents)) for a in adjustments],
            "net": format_cents(contribution.amount_cents - taken),
        },
    )


@staff_required
def limits(request: HttpRequest) -> HttpResponse:
    """Donors over the per-election limit: to refund or redesignate."""
    scope = _scope(request)
    rows = services.limit_excess_list(actor=request.user, scope=scope)
    return render(
        request,
        "money/limits.html",
        {
            "rows": [(e, format_cents(e.total_cents), format_cents(e.excess_cents)) for e in rows],
            "sees_donors": _sees_donors(scope),
            "open_count": selectors.limit_excess_open_count(),
            "error": request.GET.get("error", "")[:200],
        },
    )


@staff_required
@require_POST
def limit_resolve(request: HttpRequest, excess_id: int) -> HttpResponse:
    try:
        services.limit_excess_resolve(
            actor=request.user,
            scope=_scope(request),
            excess_id=excess_id,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        )
    except ApplicationError as exc:
        if exc.status == 404:
            return render(request, "money/limits.html", {"error": exc.message}, status=404)
        return redirect(f"{reverse('money:limits')}?error={exc.message[:150]}")
    return redirect("money:limits")
