"""Staff pages of the spending side: where the money went, the budget with its commitments
and disbursements, and the cash-flow forecast; their CSV files.

Every staff member sees these aggregates; the forms show to those who may write (finance
staff, national admins) and every write goes through ``money.spending``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from groundgame.core import exports
from groundgame.core.decorators import staff_required
from groundgame.core.errors import ApplicationError, ValidationFailed
from groundgame.core.templatetags.charts import bar_chart, line_chart
from groundgame.money import cashflow, commitments, spending_forms, where
from groundgame.money.disbursement_import import disbursements_import
from groundgame.money.models import BudgetLine, Commitment, Debt, Disbursement
from groundgame.money.services import spending
from groundgame.organizing import selectors as organizing

RECENT = 50


def _dollars(cents: int) -> float:
    """For a chart's scale only; every figure shown as text is formatted from cents."""
    return cents / 100


def _may_write(request: HttpRequest) -> bool:
    scope = request.staff_scope  # type: ignore[attr-defined]
    return bool(scope.money_everywhere or scope.finance_paths)


def _may_set_campaign_wide(request: HttpRequest) -> bool:
    return bool(request.staff_scope.money_everywhere)  # type: ignore[attr-defined]


def _finance_units(request: HttpRequest) -> list[tuple[int, str]]:
    scope = request.staff_scope  # type: ignore[attr-defined]
    return [
        (unit.pk, unit.name) for unit in organizing.org_unit_list() if scope.money_covers(unit.path)
    ]


def _show_error(request: HttpRequest, form: Any, exc: ApplicationError) -> None:
    if exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        messages.error(request, exc.message)


# --- Where the money went --------------------------------------------------------------------


@staff_required
@require_GET
def spending_page(request: HttpRequest) -> HttpResponse:
    picture = where.where_the_money_went()
    rows = [r for r in picture.categories if r.budget_cents or r.committed_cents or r.spent_cents]
    category_chart = bar_chart(
        "Budget, committed and spent by category",
        "For each category: the budget, what commitments promise in all, and what has been paid.",
        [r.label for r in rows],
        [
            ("Budget", [_dollars(r.budget_cents) for r in rows]),
            ("Committed", [_dollars(r.committed_cents) for r in rows]),
            ("Spent", [_dollars(r.spent_cents) for r in rows]),
        ],
        category_label="Category",
    )
    vendor_chart = bar_chart(
        "Largest vendors",
        "Committed and paid, dollars, for the vendors with the most.",
        [v.vendor for v in picture.vendors],
        [
            ("Committed", [_dollars(v.committed_cents) for v in picture.vendors]),
            ("Spent", [_dollars(v.spent_cents) for v in picture.vendors]),
        ],
        category_label="Vendor",
    )
    week_chart = line_chart(
        "By week",
        "Dollars paid each week, and the commitments' installments falling due each week.",
        [f"{w.week:%b} {w.week.day}" for w in picture.weeks],
        [
            ("Committed", [_dollars(w.committed_cents) for w in picture.weeks]),
            ("Spent", [_dollars(w.spent_cents) for w in picture.weeks]),
        ],
        category_label="Week of",
    )
    return render(
        request,
        "money/spending.html",
        {
            "picture": picture,
            "rows": rows,
            "category_chart": category_chart,
            "vendor_chart": vendor_chart,
            "week_chart": week_chart,
        },
    )


# --- Budget, commitments, disbursements ------------------------------------------------------


def _vendor_id(actor: Any, name: str) -> int:
    return spending.vendor_upsert(actor=actor, name=name).pk


def _commitment_create(request: HttpRequest, data: dict[str, Any]) -> Commitment:
    percent: Decimal | None = data["commission_percent"]
    return spending.commitment_create(
        actor=request.user,
        kind=data["kind"],
        title=data["title"],
        vendor_id=_vendor_id(request.user, data["vendor"]),
        category=data["category"],
        org_unit_id=data["org_unit"],
        starts_on=data["starts_on"],
        ends_on=data["ends_on"],
        weekly_cents=data["weekly"] or 0,
        cancellation_notice_days=data["cancellation_notice_days"] or 0,
        cancellation_terms=data["cancellation_terms"],
        retainer_cents=data["retainer"] or 0,
        commission_basis_points=int(percent * 100) if percent else 0,
        commission_category=data["commission_category"],
        amount_cents=data["amount"] or 0,
        reference=data["reference"],
    )


def _disbursement_create(request: HttpRequest, data: dict[str, Any]) -> Disbursement:
    return spending.disbursement_create(
        actor=request.user,
        entry=spending.DisbursementInput(
            vendor_id=_vendor_id(request.user, data["vendor"]),
            paid_on=data["paid_on"],
            amount_cents=data["amount"],
            category=data["category"],
            org_unit_id=data["org_unit"],
            purpose=data["purpose"],
            commitment_id=data["commitment"],
        ),
    )


def _budget_line_set(request: HttpRequest, data: dict[str, Any]) -> BudgetLine:
    return spending.budget_line_set(
        actor=request.user,
        category=data["category"],
        org_unit_id=data["org_unit"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        amount_cents=data["amount"],
        note=data["note"],
    )


def _commitment_rows() -> list[dict[str, Any]]:
    by_id, schedules = commitments.commitment_schedules()
    paid = dict(
        Disbursement.objects.filter(commitment__isnull=False)
        .values("commitment_id")
        .annotate(cents=Sum("amount_cents"))
        .values_list("commitment_id", "cents")
    )
    return [
        {
            "commitment": c,
            "committed_cents": sum(i.cents for i in schedules[c.pk]),
            "paid_cents": paid.get(c.pk, 0),
        }
        for c in sorted(by_id.values(), key=lambda c: (c.starts_on, c.pk))
    ]


@staff_required
@require_http_methods(["GET", "POST"])
def budget_page(request: HttpRequest) -> HttpResponse:
    may_write = _may_write(request)
    units = _finance_units(request) if may_write else []
    commitments = _commitment_rows()
    choices = [(r["commitment"].pk, r["commitment"].title) for r in commitments]
    action = request.POST.get("action", "") if request.method == "POST" else ""
    posted = request.POST if request.method == "POST" else None
    forms: dict[str, Any] = {
        "budget": spending_forms.BudgetLineForm(
            posted if action == "budget" else None, units=units, prefix="budget"
        ),
        "commitment": spending_forms.CommitmentForm(
            posted if action == "commitment" else None, units=units, prefix="commitment"
        ),
        "disbursement": spending_forms.DisbursementForm(
            posted if action == "disbursement" else None,
            units=units,
            commitments=choices,
            prefix="disbursement",
        ),
        "import": spending_forms.ImportForm(
            posted if action == "import" else None,
            request.FILES if action == "import" else None,
            units=units,
            prefix="import",
        ),
    }
    status = 200
    report = None
    if request.method == "POST":
        outcome = _budget_post(request, action, forms)
        if isinstance(outcome, HttpResponse):
            return outcome
        status, report = outcome
    return render(
        request,
        "money/budget.html",
        {
            "may_write": may_write,
            "forms": forms,
            "report": report,
            "budget_lines": BudgetLine.objects.select_related("org_unit").order_by(
                "period_start", "category", "org_unit__path"
            ),
            "commitments": commitments,
            "disbursements": Disbursement.objects.select_related("vendor", "org_unit")[:RECENT],
            "disbursement_count": Disbursement.objects.count(),
            "debts": Debt.objects.select_related("vendor").annotate(
                paid_cents=Sum("payments__amount_cents")
            ),
        },
        status=status,
    )


def _budget_post(
    request: HttpRequest, action: str, forms: dict[str, Any]
) -> HttpResponse | tuple[int, Any]:
    """Do what the form asked; a redirect when done, else the status to show the page with
    (and an import's report)."""
    if action == "cancel":
        commitment_id = request.POST.get("commitment", "")
        if not commitment_id.isdigit() or len(commitment_id) > 18:
            messages.error(request, "No such commitment.")
            return 400, None
        try:
            spending.commitment_cancel(
                actor=request.user, commitment_id=int(commitment_id), on=timezone.localdate()
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return exc.status, None
        messages.success(request, "Cancelled: what its terms still owe stays committed.")
        return redirect("money:budget")
    writers: dict[str, tuple[Callable[[HttpRequest, dict[str, Any]], Any], str]] = {
        "budget": (_budget_line_set, "Budget line saved."),
        "commitment": (_commitment_create, "Commitment recorded."),
        "disbursement": (_disbursement_create, "Disbursement recorded."),
    }
    form = forms.get(action)
    if form is None:
        messages.error(request, "Unknown action.")
        return 400, None
    if not form.is_valid():
        return 400, None
    try:
        if action == "import":
            report = disbursements_import(
                actor=request.user,
                data=form.cleaned_data["file"].read(),
                org_unit_id=form.cleaned_data["org_unit"],
            )
            messages.success(
                request,
                f"{report.created} disbursements imported, {report.unchanged} already there, "
                f"{len(report.problems)} refused.",
            )
            return (200 if not report.problems else 400), report
        write, done = writers[action]
        # A vendor named here stays only if what names it is recorded.
        with transaction.atomic():
            write(request, form.cleaned_data)
    except ApplicationError as exc:
        _show_error(request, form, exc)
        return (exc.status if exc.status != 404 else 400), None
    messages.success(request, done)
    return redirect("money:budget")


# --- Cash flow ------------------------------------------------------------------------------


def _weekly(days: tuple[dt.date, ...]) -> list[int]:
    """The indexes of every seventh day and the last, so a long forecast stays readable."""
    picks = list(range(0, len(days), 7))
    if days and picks[-1] != len(days) - 1:
        picks.append(len(days) - 1)
    return picks


def _user_id(username: str, *, field: str) -> int | None:
    if not username:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise ValidationFailed(f"No staff member {username!r}.", field=field)
    return user.pk


@staff_required
@require_http_methods(["GET", "POST"])
def cashflow_page(request: HttpRequest) -> HttpResponse:
    may_set = _may_set_campaign_wide(request)
    current = spending.cash_settings_get()
    action = request.POST.get("action", "") if request.method == "POST" else ""
    settings_form = spending_forms.CashSettingsForm(
        request.POST if action == "settings" else None,
        prefix="settings",
        initial={
            "floor": f"{current.floor_cents / 100:.2f}",
            "horizon_days": current.horizon_days,
            "election_day": current.election_day,
            "treasurer": current.treasurer.username if current.treasurer else "",
            "campaign_manager": (
                current.campaign_manager.username if current.campaign_manager else ""
            ),
        },
    )
    goal_form = spending_forms.GoalForm(request.POST if action == "goal" else None, prefix="goal")
    status = 200
    if request.method == "POST":
        form = settings_form if action == "settings" else goal_form
        if form.is_valid():
            try:
                _cashflow_post(request, action, form.cleaned_data)
            except ApplicationError as exc:
                _show_error(request, form, exc)
                status = exc.status
            else:
                # The forecast rests on what was just changed: recount it before showing it.
                cashflow.cashflow_refresh()
                messages.success(request, "Saved.")
                return redirect("money:cashflow")
        else:
            status = 400
    snapshot = cashflow.cashflow_snapshot()
    f = snapshot.forecast
    picks = _weekly(f.days)
    chart = line_chart(
        "Cash on hand, forecast",
        "The middle of the futures drawn from the recent pace of receipts, less what the "
        "commitments will take; the band holds eight futures in ten.",
        [f"{f.days[i]:%b} {f.days[i].day}" for i in picks],
        [("Cash, middle of the futures", [_dollars(f.median[i]) for i in picks])],
        band=([_dollars(f.low[i]) for i in picks], [_dollars(f.high[i]) for i in picks]),
        category_label="Day",
    )
    return render(
        request,
        "money/cashflow.html",
        {
            "snapshot": snapshot,
            "forecast": f,
            "chart": chart,
            "alerts": cashflow.cash_alerts_open(),
            "may_set": may_set,
            "settings_form": settings_form,
            "goal_form": goal_form,
            "upcoming": snapshot.upcoming[:30],
        },
        status=status,
    )


def _cashflow_post(request: HttpRequest, action: str, data: dict[str, Any]) -> None:
    if action == "settings":
        spending.cash_settings_set(
            actor=request.user,
            floor_cents=data["floor"],
            horizon_days=data["horizon_days"],
            election_day=data["election_day"],
            treasurer_id=_user_id(data["treasurer"], field="treasurer"),
            campaign_manager_id=_user_id(data["campaign_manager"], field="campaign_manager"),
        )
    elif action == "goal":
        spending.fundraising_goal_set(
            actor=request.user,
            name=data["name"],
            starts_on=data["starts_on"],
            deadline=data["deadline"],
            target_cents=data["target"],
        )
    else:
        raise ValidationFailed("Unknown action.")


# --- CSV files ------------------------------------------------------------------------------


class _Echo:
    """A file that hands back what is written, so ``csv`` can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def _csv(name: str, header: list[str], rows: Iterable[Iterable[Any]]) -> HttpResponse:
    writer = exports.Writer(_Echo())

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{timezone.localdate().isoformat()}.csv"'
    )
    return cast(HttpResponse, response)


def _dollar_text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


@staff_required
@require_GET
def disbursements_csv(request: HttpRequest) -> HttpResponse:
    """Every disbursement in the FEC's Schedule B shape, which the import reads back."""
    header = [
        "form_type",
        "transaction_id",
        "entity_type",
        "payee_organization_name",
        "payee_last_name",
        "payee_first_name",
        "payee_street_1",
        "payee_city",
        "payee_state",
        "payee_zip",
        "expenditure_date",
        "expenditure_amount",
        "expenditure_purpose_descrip",
        "category_code",
        "memo_code",
        "budget_category",
    ]

    def rows() -> Iterator[list[Any]]:
        for d in (
            Disbursement.objects.select_related("vendor")
            .order_by("paid_on", "pk")
            .iterator(chunk_size=2_000)
        ):
            v = d.vendor
            person = v.entity_type == v.EntityType.INDIVIDUAL
            last, _, first = v.name.partition(", ") if person else ("", "", "")
            yield [
                "SB17",
                d.transaction_id,
                v.entity_type,
                "" if person else v.name,
                last,
                first,
                v.street_1,
                v.city,
                v.state,
                v.zip_code,
                d.paid_on.isoformat(),
                _dollar_text(d.amount_cents),
                d.purpose,
                d.fec_category_code,
                "X" if d.memo else "",
                d.category,
            ]

    return _csv("disbursements", header, rows())


@staff_required
@require_GET
def spending_csv(request: HttpRequest) -> HttpResponse:
    """Budget, committed and spent per category, in dollars, the way a budget sheet reads."""
    picture = where.where_the_money_went()
    rows = [*picture.categories, picture.totals]
    return _csv(
        "where-the-money-went",
        ["category", "budget", "committed", "spent", "left"],
        (
            [
                r.label,
                _dollar_text(r.budget_cents),
                _dollar_text(r.committed_cents),
                _dollar_text(r.spent_cents),
                _dollar_text(r.left_cents),
            ]
            for r in rows
        ),
    )


@staff_required
@require_GET
def cashflow_csv(request: HttpRequest) -> HttpResponse:
    """The forecast per day: the low, middle and high of cash, and what is due."""
    snapshot = cashflow.cashflow_snapshot()
    f = snapshot.forecast
    return _csv(
        "cash-flow-forecast",
        ["day", "cash_low", "cash_median", "cash_high"],
        (
            [day.isoformat(), _dollar_text(lo), _dollar_text(mid), _dollar_text(hi)]
            for day, lo, mid, hi in zip(f.days, f.low, f.median, f.high, strict=True)
        ),
    )
