"""A committee's FEC report for a period, read from the ledger in bulk.

Every figure of the summary is one aggregate query; the itemized contributions are the gifts
of the donors whose aggregate for the cycle passes $200 by the period's end, with their
running aggregate computed by the database (a window sum), so a quarter of a million gifts is
a handful of queries and one pass writing lines, never a query per gift."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from groundgame.core.errors import ValidationFailed
from groundgame.money import errors
from groundgame.money.fec import filing, forms
from groundgame.money.fec.summary import Activity, Summary
from groundgame.money.models import (
    Adjustment,
    Committee,
    Contribution,
    Debt,
    Disbursement,
    Election,
    FecFiler,
    Vendor,
)

QUARTER = re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.IGNORECASE)
# The fourth quarter's report is the year-end report.
REPORT_CODES = {1: "Q1", 2: "Q2", 3: "Q3", 4: "YE"}


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    report_code: str

    @property
    def cycle(self) -> int:
        """The two-year election cycle the period falls in, named by its even year."""
        return self.end.year + self.end.year % 2

    @property
    def cycle_start(self) -> dt.date:
        return dt.date(self.cycle - 1, 1, 1)


def quarter(text: str) -> Period:
    """``2024Q3`` (or ``2024-Q3``): the calendar quarter and its report code."""
    found = QUARTER.match(text.strip())
    if not found:
        raise ValidationFailed(
            f"{text!r} is not a quarter; write it as 2024Q3.",
            code=errors.FEC_PERIOD_INVALID,
            field="period",
        )
    year, number = int(found[1]), int(found[2])
    start = dt.date(year, 3 * number - 2, 1)
    after = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    return Period(start, after - dt.timedelta(days=1), REPORT_CODES[number])


def _moment(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def filer(committee: Committee) -> forms.Filer:
    profile = FecFiler.objects.filter(committee=committee).first()
    if profile is None:
        raise ValidationFailed(
            f"Give {committee.name}'s address and treasurer before its first report.",
            code=errors.FEC_FILER_MISSING,
            field="committee",
        )
    return forms.Filer(
        committee.fec_id,
        committee.name,
        forms.Address(profile.street_1, profile.city, profile.state, profile.zip_code),
        profile.treasurer_last_name,
        profile.treasurer_first_name,
        "F3P" if committee.kind == Committee.Kind.PRESIDENTIAL else "F3",
        profile.election_state,
        profile.election_district,
    )


class Ledger:
    """The committee's rows the report reads."""

    def __init__(self, committee: Committee, period: Period) -> None:
        self.committee = committee
        self.period = period
        self.end = _moment(period.end + dt.timedelta(days=1))
        # Disbursements not tied to a committee are the campaign's, while it has only one.
        self.paid_by = Q(committee=committee)
        if not Committee.objects.exclude(pk=committee.pk).exists():
            self.paid_by |= Q(committee__isnull=True)

    def itemized_donors(self) -> QuerySet[Any, Any]:
        """The donors whose gifts to the committee in the cycle pass $200 by the period's
        end."""
        return (
            Contribution.objects.filter(
                committee=self.committee, election__cycle=self.period.cycle, paid_at__lt=self.end
            )
            .values("person_id")
            .annotate(total=Sum("amount_cents"))
            .filter(total__gt=forms.ITEMIZATION_THRESHOLD_CENTS)
            .values("person_id")
        )

    def activity(self, start: dt.date | None) -> Activity:
        """Receipts and disbursements from ``start`` (the beginning, if None) through the
        period's end."""
        gifts = Contribution.objects.filter(committee=self.committee, paid_at__lt=self.end)
        back = Adjustment.objects.filter(contribution__committee=self.committee, at__lt=self.end)
        spent = Disbursement.objects.filter(self.paid_by, paid_on__lte=self.period.end, memo=False)
        if start is not None:
            gifts = gifts.filter(paid_at__gte=_moment(start))
            back = back.filter(at__gte=_moment(start))
            spent = spent.filter(paid_on__gte=start)
        itemized = Q(election__cycle=self.period.cycle, person_id__in=self.itemized_donors())
        given = gifts.aggregate(
            total=Coalesce(Sum("amount_cents"), 0),
            itemized=Coalesce(Sum("amount_cents", filter=itemized), 0),
        )
        return Activity(
            individuals_itemized=given["itemized"],
            individuals_unitemized=given["total"] - given["itemized"],
            refunds_individuals=back.aggregate(cents=Coalesce(Sum("amount_cents"), 0))["cents"],
            operating_expenditures=spent.aggregate(cents=Coalesce(Sum("amount_cents"), 0))["cents"],
        )

    def debts(self) -> list[forms.Debt]:
        """Each debt owed at the start or incurred in the period, with what was paid on it."""
        start, end = self.period.start, self.period.end
        rows = (
            Debt.objects.filter(Q(committee=self.committee) | Q(committee__isnull=True))
            .filter(incurred_on__lte=end)
            .select_related("vendor")
            .annotate(
                paid_before=Coalesce(
                    Sum("payments__amount_cents", filter=Q(payments__paid_on__lt=start)), 0
                ),
                paid_in=Coalesce(
                    Sum(
                        "payments__amount_cents",
                        filter=Q(payments__paid_on__gte=start, payments__paid_on__lte=end),
                    ),
                    0,
                ),
            )
            .order_by("incurred_on", "pk")
        )
        found = []
        for debt in rows:
            before = debt.amount_cents - debt.paid_before if debt.incurred_on < start else 0
            incurred = debt.amount_cents if debt.incurred_on >= start else 0
            item = forms.Debt(
                f"D{debt.pk}",
                debt.vendor.name,
                _vendor_address(debt.vendor),
                debt.purpose,
                before,
                incurred,
                debt.paid_in,
            )
            if item.beginning_cents or item.incurred_cents or item.closing_cents:
                found.append(item)
        return found

    def summary(self) -> Summary:
        before = Ledger(self.committee, _before(self.period))
        cash_before = before.activity(None)
        debts = self.debts()
        return Summary(
            period=self.activity(self.period.start),
            cycle=self.activity(self.period.cycle_start),
            opening_cash=cash_before.receipts - cash_before.disbursements,
            debts_owed_by=sum(d.closing_cents for d in debts),
        )

    def contributions(self) -> Iterator[forms.Contribution]:
        """The itemized gifts of the period, oldest first, each with the donor's aggregate for
        the cycle through it."""
        start = _moment(self.period.start)
        donor = [F("person_id")]
        rows = (
            Contribution.objects.filter(
                committee=self.committee, election__cycle=self.period.cycle, paid_at__lt=self.end
            )
            .annotate(
                aggregate=Window(
                    Sum("amount_cents"),
                    partition_by=donor,
                    order_by=[F("paid_at").asc(), F("id").asc()],
                ),
                donor_total=Window(Sum("amount_cents"), partition_by=donor),
                election_kind=F("election__kind"),
            )
            # A filter on a window is applied over the windows' results, so each donor's
            # running aggregate counts the gifts of the cycle before the period too.
            .filter(donor_total__gt=forms.ITEMIZATION_THRESHOLD_CENTS)
            .order_by("paid_at", "id")
            .values_list(
                "id",
                "first_name",
                "last_name",
                "street",
                "city",
                "state",
                "zip_code",
                "employer",
                "occupation",
                "paid_at",
                "amount_cents",
                "aggregate",
                "election_kind",
                "earmarked",
            )
        )
        for (pk, first, last, street, city, state, zip_code, employer, occupation, paid_at,
             cents, aggregate, kind, earmarked) in rows.iterator(chunk_size=5000):  # fmt: skip
            if paid_at < start:
                continue
            yield forms.Contribution(
                f"A{pk}",
                first,
                last,
                forms.Address(street, city, state, zip_code),
                employer,
                occupation,
                timezone.localdate(paid_at),
                cents,
                aggregate,
                Election(kind=kind, cycle=self.period.cycle).code,
                earmarked,
            )

    def disbursements(self) -> Iterator[forms.Disbursement]:
        """The period's disbursements, each with the payee's aggregate for the cycle."""
        rows = (
            Disbursement.objects.filter(
                self.paid_by,
                memo=False,
                paid_on__gte=self.period.cycle_start,
                paid_on__lte=self.period.end,
            )
            .annotate(
                aggregate=Window(
                    Sum("amount_cents"),
                    partition_by=[F("vendor_id")],
                    order_by=[F("paid_on").asc(), F("id").asc()],
                )
            )
            .order_by("paid_on", "id")
            .values_list(
                "transaction_id",
                "vendor__name",
                "vendor__street_1",
                "vendor__city",
                "vendor__state",
                "vendor__zip_code",
                "paid_on",
                "amount_cents",
                "aggregate",
                "purpose",
            )
        )
        for (transaction_id, payee, street, city, state, zip_code, paid_on, cents, aggregate,
             purpose) in rows.iterator(chunk_size=5000):  # fmt: skip
            if paid_on < self.period.start:
                continue
            yield forms.Disbursement(
                f"B{transaction_id}"[:20],
                payee,
                forms.Address(street, city, state, zip_code),
                paid_on,
                cents,
                aggregate,
                purpose,
            )


def _before(period: Period) -> Period:
    """The span that ends the day before ``period`` starts (its cash is the opening cash)."""
    last = period.start - dt.timedelta(days=1)
    return Period(last, last, period.report_code)


def _vendor_address(vendor: Vendor) -> forms.Address:
    return forms.Address(vendor.street_1, vendor.city, vendor.state, vendor.zip_code)


def records(ledger: Ledger, *, signed: dt.date) -> Iterator[filing.Record]:
    """The report's records in filing order: header, form, Schedule A, B, D."""
    who = filer(ledger.committee)
    summary = ledger.summary()
    # The election the report looks toward: the cycle's next one after the period.
    election = (
        Election.objects.filter(cycle=ledger.period.cycle, day__gte=ledger.period.end)
        .order_by("day")
        .first()
    )
    coverage = forms.Coverage(
        ledger.period.report_code,
        ledger.period.start,
        ledger.period.end,
        election.code if election else f"G{ledger.period.cycle}",
        signed,
    )
    yield filing.header()
    yield forms.summary_record(who, coverage, summary)
    for gift in ledger.contributions():
        yield from forms.contribution_records(who, gift)
    for paid in ledger.disbursements():
        yield forms.disbursement_record(who, paid)
    for debt in ledger.debts():
        yield forms.debt_record(who, debt)
