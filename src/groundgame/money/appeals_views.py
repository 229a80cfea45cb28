"""Staff pages of appeals and FEC reports.

The appeals page shows every appeal's kept return (any staff member: aggregates, no donor's
name) and, to finance staff, the forms that create appeals and enter their costs. The FEC page
is national finance's: it builds a quarter's report, shows its summary and what is wrong with
it by line and field, and hands out the ``.fec`` file."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError
from groundgame.money import appeal_forms, appeal_returns
from groundgame.money.models import Appeal, Committee, FecFiler
from groundgame.money.services import appeals, fec
from groundgame.money.spending_views import (
    _finance_units,
    _may_set_campaign_wide,
    _may_write,
    _show_error,
)


def _appeal_forms(request: HttpRequest, action: str) -> dict[str, Any]:
    data = request.POST if request.method == "POST" else None
    choices = [(a.pk, a.name) for a in Appeal.objects.order_by("-starts_on", "-pk")]
    return {
        "appeal": appeal_forms.AppealForm(
            data if action == "appeal" else None, prefix="appeal", units=_finance_units(request)
        ),
        "cost": appeal_forms.AppealCostForm(
            data if action == "cost" else None, prefix="cost", appeals=choices
        ),
        "price": appeal_forms.SendCostForm(data if action == "price" else None, prefix="price"),
    }


def _appeal_post(request: HttpRequest, action: str, data: dict[str, Any]) -> None:
    if action == "appeal":
        appeals.appeal_create(
            actor=request.user,
            name=data["name"],
            channel=data["channel"],
            refcode=data["refcode"],
            org_unit_id=data["org_unit"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            mailing_id=data["mailing"],
            provider=data["provider"],
        )
    elif action == "cost":
        appeals.appeal_cost_add(
            actor=request.user,
            appeal_id=data["appeal"],
            kind=data["kind"],
            amount_cents=data["amount"],
            incurred_on=data["incurred_on"],
            note=data["note"],
        )
    else:
        appeals.send_cost_set(
            actor=request.user,
            channel=data["channel"],
            provider=data["provider"],
            cents_per_thousand=data["per_thousand"],
        )


@staff_required
@require_http_methods(["GET", "POST"])
def appeals_page(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _appeal_forms(request, action)
    status = 200
    if action in forms:
        form = forms[action]
        if form.is_valid():
            try:
                _appeal_post(request, action, form.cleaned_data)
            except ApplicationError as exc:
                _show_error(request, form, exc)
                status = exc.status
            else:
                messages.success(request, "Saved; the returns are being recomputed.")
                return redirect("money:appeals")
        else:
            status = 400
    rows, computed_at = appeal_returns.appeal_return_list()
    return render(
        request,
        "money/appeals.html",
        {
            "rows": rows,
            "channels": appeal_returns.channel_returns(rows),
            "computed_at": computed_at,
            "pending": Appeal.objects.filter(result__isnull=True).count(),
            "forms": forms,
            "may_write": _may_write(request),
            "may_price": _may_set_campaign_wide(request),
        },
        status=status,
    )


def _committees() -> list[tuple[int, str]]:
    return [(c.pk, str(c)) for c in Committee.objects.order_by("name")]


@staff_required
@require_http_methods(["GET", "POST"])
def fec_page(request: HttpRequest) -> HttpResponse:
    may_file = _may_set_campaign_wide(request)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    data = request.POST if request.method == "POST" else None
    committees = _committees()
    report_form = appeal_forms.FecReportForm(
        data if action in ("build", "download") else request.GET or None,
        prefix="report",
        committees=committees,
    )
    filer_form = appeal_forms.FecFilerForm(
        data if action == "filer" else None, prefix="filer", committees=committees
    )
    built = None
    status = 200
    if action and not may_file:
        messages.error(request, "Only national finance staff or a national admin file reports.")
        status = 403
    elif action == "filer":
        if filer_form.is_valid():
            try:
                fec.fec_filer_set(
                    actor=request.user,
                    committee_id=filer_form.cleaned_data.pop("committee"),
                    **filer_form.cleaned_data,
                )
            except ApplicationError as exc:
                _show_error(request, filer_form, exc)
                status = exc.status
            else:
                messages.success(request, "Saved.")
                return redirect("money:fec")
        else:
            status = 400
    elif action in ("build", "download"):
        if report_form.is_valid():
            out = io.BytesIO()
            try:
                built = fec.fec_report_write(
                    actor=request.user,
                    committee_id=report_form.cleaned_data["committee"],
                    period=report_form.cleaned_data["period"],
                    out=out,
                )
            except ApplicationError as exc:
                _show_error(request, report_form, exc)
                status = exc.status
            else:
                if action == "download":
                    response = HttpResponse(out.getvalue(), content_type="text/plain")
                    response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
                    return response
        else:
            status = 400
    return render(
        request,
        "money/fec.html",
        {
            "may_file": may_file,
            "report_form": report_form,
            "filer_form": filer_form,
            "built": built,
            "filers": FecFiler.objects.select_related("committee").order_by("committee__name"),
        },
        status=status,
    )
