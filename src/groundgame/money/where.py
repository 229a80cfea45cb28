"""Where the money went: budget against committed against spent, by category, vendor and
week. Aggregates only (no donor appears), so every staff member may see them.

Committed is what the commitments' terms call for in all (``money.commitments``), spent what
the disbursements paid; memo entries, which itemize a payment counted elsewhere, are left
out. Sums are grouped in the database, so twenty thousand disbursements are a few rows here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.db.models.functions import TruncWeek

from groundgame.money.commitments import commitment_schedules
from groundgame.money.models import BudgetLine, Disbursement, SpendCategory


@dataclass(frozen=True)
class CategoryRow:
    category: str
    label: str
    budget_cents: int
    committed_cents: int
    spent_cents: int

    @property
    def left_cents(self) -> int:
        """Budget not yet spent or promised (negative: over budget)."""
        return self.budget_cents - max(self.committed_cents, self.spent_cents)


@dataclass(frozen=True)
class VendorRow:
    vendor: str
    committed_cents: int
    spent_cents: int
    payments: int


@dataclass(frozen=True)
class WeekRow:
    week: dt.date  # its Monday
    committed_cents: int  # installments falling due that week
    spent_cents: int


@dataclass(frozen=True)
class WhereTheMoneyWent:
    categories: list[CategoryRow]
    vendors: list[VendorRow]
    weeks: list[WeekRow]

    @property
    def totals(self) -> CategoryRow:
        return CategoryRow(
            category="",
            label="Total",
            budget_cents=sum(r.budget_cents for r in self.categories),
            committed_cents=sum(r.committed_cents for r in self.categories),
            spent_cents=sum(r.spent_cents for r in self.categories),
        )


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def where_the_money_went(*, vendors: int = 15) -> WhereTheMoneyWent:
    """The whole picture; ``vendors``: how many of the largest vendors to list."""
    paid = Disbursement.objects.filter(memo=False)
    budget = dict(
        BudgetLine.objects.values("category")
        .annotate(cents=Sum("amount_cents"))
        .values_list("category", "cents")
    )
    spent = dict(
        paid.values("category").annotate(cents=Sum("amount_cents")).values_list("category", "cents")
    )
    by_id, schedules = commitment_schedules()
    committed: dict[str, int] = defaultdict(int)
    committed_vendor: dict[str, int] = defaultdict(int)
    committed_week: dict[dt.date, int] = defaultdict(int)
    for cid, items in schedules.items():
        c = by_id[cid]
        for item in items:
            committed[c.category] += item.cents
            committed_vendor[c.vendor.name] += item.cents
            committed_week[_monday(item.due_on)] += item.cents
    categories = [
        CategoryRow(
            category=value,
            label=label,
            budget_cents=budget.get(value, 0),
            committed_cents=committed.get(value, 0),
            spent_cents=spent.get(value, 0),
        )
        for value, label in SpendCategory.choices
    ]
    by_vendor = {
        row["vendor__name"]: row
        for row in paid.values("vendor__name").annotate(cents=Sum("amount_cents"), n=Count("id"))
    }
    names = set(by_vendor) | set(committed_vendor)
    vendor_rows = sorted(
        (
            VendorRow(
                vendor=name,
                committed_cents=committed_vendor.get(name, 0),
                spent_cents=by_vendor[name]["cents"] if name in by_vendor else 0,
                payments=by_vendor[name]["n"] if name in by_vendor else 0,
            )
            for name in names
        ),
        key=lambda r: (-max(r.committed_cents, r.spent_cents), r.vendor),
    )[:vendors]
    spent_week = {
        row["week"]: row["cents"]
        for row in paid.annotate(week=TruncWeek("paid_on"))
        .values("week")
        .annotate(cents=Sum("amount_cents"))
    }
    spent_week = {(w.date() if isinstance(w, dt.datetime) else w): c for w, c in spent_week.items()}
    weeks = sorted(set(spent_week) | set(committed_week))
    week_rows = []
    if weeks:
        week = weeks[0]
        while week <= weeks[-1]:
            week_rows.append(
                WeekRow(week, committed_week.get(week, 0), spent_week.get(week, 0) or 0)
            )
            week += dt.timedelta(days=7)
    return WhereTheMoneyWent(categories=categories, vendors=vendor_rows, weeks=week_rows)
