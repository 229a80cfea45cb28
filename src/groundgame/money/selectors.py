"""Reads of the money app that other modules need.

The ledger's aggregates (totals by day, by refcode, by donor, by election) are plain values
that carry no one's name: any staff member may see them. The reads that name donors
(``contributions_for_report``, ``donor_gifts``) are for the app's own pages, which audit
them, and for the FEC report, which the law requires.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate

from groundgame.money.models import (
    Adjustment,
    Committee,
    Contribution,
    Election,
    LimitExcess,
    RecurringPlan,
)


@dataclass(frozen=True)
class DayTotal:
    day: dt.date
    gifts: int
    gross_cents: int


@dataclass(frozen=True)
class RefcodeTotal:
    refcode: str
    donors: int
    gifts: int
    gross_cents: int
    refunded_cents: int

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.refunded_cents


@dataclass(frozen=True)
class DonorGiving:
    person_id: int
    gifts: int
    gross_cents: int
    refunded_cents: int
    first_at: dt.datetime
    last_at: dt.datetime

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.refunded_cents


@dataclass(frozen=True)
class Gift:
    contribution_id: int
    line_item_id: str
    committee_id: int
    election_code: str
    amount_cents: int
    refunded_cents: int
    paid_at: dt.datetime
    refcode: str
    recurring: bool


@dataclass(frozen=True)
class ReceiptsTotals:
    gifts: int
    gross_cents: int
    refunded_cents: int
    chargeback_cents: int

    @property
    def net_cents(self) -> int:
        return self.gross_cents - self.refunded_cents - self.chargeback_cents


@dataclass(frozen=True)
class ReportLine:
    """One contribution as the FEC's Schedule A itemizes it."""

    contribution_id: int
    line_item_id: str
    person_id: int
    first_name: str
    last_name: str
    street: str
    city: str
    state: str
    zip_code: str
    employer: str
    occupation: str
    amount_cents: int
    paid_at: dt.datetime
    election_code: str
    earmarked: bool
    # The donor's giving to the committee in the election cycle through this gift, in
    # cents: what decides whether it is itemized (over $200).
    cycle_aggregate_cents: int


def committee_list() -> list[Committee]:
    return list(Committee.objects.order_by("name"))


def committee_by_fec_id(fec_id: str) -> Committee | None:
    return Committee.objects.filter(fec_id=fec_id.strip().upper()).first()


def committee_by_actblue_entity(entity_id: int) -> Committee | None:
    return Committee.objects.filter(actblue_entity_id=entity_id).first()


def election_list(cycle: int | None = None) -> list[Election]:
    elections = Election.objects.all()
    return list(elections.filter(cycle=cycle) if cycle is not None else elections)


def election_for(day: dt.date) -> Election | None:
    """The election a gift made on ``day`` counts toward: the first one on or after it (a gift
    after the primary counts toward the general), or none when no election is set up."""
    return Election.objects.filter(day__gte=day).order_by("day").first()


def _period(
    rows: QuerySet[Contribution],
    *,
    committee_id: int | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
) -> QuerySet[Contribution]:
    if committee_id is not None:
        rows = rows.filter(committee_id=committee_id)
    if start is not None:
        rows = rows.filter(paid_at__gte=start)
    if end is not None:
        rows = rows.filter(paid_at__lt=end)
    return rows


def donations_by_day(
    *,
    committee_id: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[DayTotal]:
    """Gifts and their amounts per day (in the campaign's time zone), oldest first, from
    ``start`` up to ``end`` (excluded)."""
    rows = (
        _period(Contribution.objects.all(), committee_id=committee_id, start=start, end=end)
        .annotate(day=TruncDate("paid_at"))
        .values("day")
        .annotate(gifts=Count("id"), gross=Sum("amount_cents"))
        .order_by("day")
    )
    return [DayTotal(r["day"], r["gifts"], r["gross"] or 0) for r in rows]


def adjustments_by_day(
    *,
    committee_id: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> dict[dt.date, int]:
    """Cents refunded or charged back per day (by the day they were taken back)."""
    rows = Adjustment.objects.all()
    if committee_id is not None:
        rows = rows.filter(contribution__committee_id=committee_id)
    if start is not None:
        rows = rows.filter(at__gte=start)
    if end is not None:
        rows = rows.filter(at__lt=end)
    grouped = (
        rows.annotate(day=TruncDate("at"))
        .values("day")
        .annotate(cents=Sum("amount_cents"))
        .order_by("day")
    )
    return {r["day"]: r["cents"] or 0 for r in grouped}


def receipts_totals(
    *,
    committee_id: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> ReceiptsTotals:
    """Gifts received in the period, and the refunds and chargebacks made in it (by their own
    dates, as cash moved)."""
    gifts = _period(
        Contribution.objects.all(), committee_id=committee_id, start=start, end=end
    ).aggregate(n=Count("id"), gross=Coalesce(Sum("amount_cents"), 0))
    taken = Adjustment.objects.all()
    if committee_id is not None:
        taken = taken.filter(contribution__committee_id=committee_id)
    if start is not None:
        taken = taken.filter(at__gte=start)
    if end is not None:
        taken = taken.filter(at__lt=end)
    back = taken.aggregate(
        refunds=Coalesce(Sum("amount_cents", filter=Q(kind=Adjustment.Kind.REFUND)), 0),
        chargebacks=Coalesce(Sum("amount_cents", filter=Q(kind=Adjustment.Kind.CHARGEBACK)), 0),
    )
    return ReceiptsTotals(gifts["n"], gifts["gross"], back["refunds"], back["chargebacks"])


def refcode_totals(
    *,
    refcodes: Iterable[str] | None = None,
    committee_id: int | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> dict[str, RefcodeTotal]:
    """Per refcode (an appeal's tag on its donation links): donors, gifts, cents given and
    cents since taken back from those gifts."""
    rows = _period(Contribution.objects.all(), committee_id=committee_id, start=start, end=end)
    if refcodes is not None:
        rows = rows.filter(refcode__in=list(refcodes))
    grouped = (
        rows.values("refcode")
        .annotate(
            donors=Count("person_id", distinct=True),
            gifts=Count("id"),
            gross=Sum("amount_cents"),
        )
        .order_by()
    )
    refunded = dict(
        Adjustment.objects.filter(contribution__in=rows.values("pk"))
        .values_list("contribution__refcode")
        .annotate(cents=Sum("amount_cents"))
        .order_by()
    )
    return {
        r["refcode"]: RefcodeTotal(
            r["refcode"], r["donors"], r["gifts"], r["gross"] or 0, refunded.get(r["refcode"], 0)
        )
        for r in grouped
    }


def donor_giving(
    *,
    person_ids: Iterable[int] | None = None,
    committee_id: int | None = None,
    before: dt.datetime | None = None,
) -> dict[int, DonorGiving]:
    """Each donor's giving history in one figure per person (gifts, cents, first and last
    gift), up to ``before``: what their expected future giving is estimated from."""
    rows = _period(Contribution.objects.all(), committee_id=committee_id, start=None, end=before)
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    grouped = (
        rows.values("person_id")
        .annotate(
            gifts=Count("id"),
            gross=Sum("amount_cents"),
            first=Min("paid_at"),
            last=Max("paid_at"),
        )
        .order_by()
    )
    refunded = dict(
        Adjustment.objects.filter(contribution__in=rows.values("pk"))
        .values_list("contribution__person_id")
        .annotate(cents=Sum("amount_cents"))
        .order_by()
    )
    return {
        r["person_id"]: DonorGiving(
            r["person_id"],
            r["gifts"],
            r["gross"] or 0,
            refunded.get(r["person_id"], 0),
            r["first"],
            r["last"],
        )
        for r in grouped
    }


def donor_gifts(*, person_id: int) -> list[Gift]:
    """One donor's gifts, newest first, with what was taken back from each."""
    rows = (
        Contribution.objects.filter(person_id=person_id)
        .select_related("election")
        .annotate(back=Coalesce(Sum("adjustments__amount_cents"), 0))
        .order_by("-paid_at", "-pk")
    )
    return [
        Gift(
            c.pk,
            c.line_item_id,
            c.committee_id,
            c.election.code,
            c.amount_cents,
            c.back,
            c.paid_at,
            c.refcode,
            c.recurring_plan_id is not None,
        )
        for c in rows
    ]


def donor_election_aggregates(
    *, committee_id: int, election_id: int, person_ids: Iterable[int] | None = None
) -> dict[int, int]:
    """Each donor's net giving (gifts less refunds and chargebacks) to the committee for one
    election, in cents: what the contribution limit applies to."""
    rows = Contribution.objects.filter(committee_id=committee_id, election_id=election_id)
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    gross = dict(rows.values_list("person_id").annotate(cents=Sum("amount_cents")).order_by())
    back = dict(
        Adjustment.objects.filter(contribution__in=rows.values("pk"))
        .values_list("contribution__person_id")
        .annotate(cents=Sum("amount_cents"))
        .order_by()
    )
    return {person: cents - back.get(person, 0) for person, cents in gross.items()}


def contributions_for_report(
    *, committee_id: int, start: dt.datetime, end: dt.datetime
) -> Iterator[ReportLine]:
    """The committee's gifts received from ``start`` up to ``end``, oldest first, each with
    the donor's giving to it in the election cycle through that gift (counted from the
    cycle's first day, as Schedule A's aggregate is)."""
    rows = (
        Contribution.objects.filter(committee_id=committee_id, paid_at__gte=start, paid_at__lt=end)
        .select_related("election")
        .order_by("paid_at", "pk")
    )
    cycles = set(rows.values_list("election__cycle", flat=True).distinct())
    people = set(rows.values_list("person_id", flat=True).distinct())
    # The running aggregate starts from what each donor gave in the cycle before ``start``.
    opening: dict[tuple[int, int], int] = {}
    for cycle in cycles:
        earlier = (
            Contribution.objects.filter(
                committee_id=committee_id,
                election__cycle=cycle,
                paid_at__lt=start,
                person_id__in=people,
            )
            .values_list("person_id")
            .annotate(cents=Sum("amount_cents"))
            .order_by()
        )
        for person_id, cents in earlier:
            opening[(person_id, cycle)] = cents
    running = dict(opening)
    for c in rows.iterator(chunk_size=2000):
        key = (c.person_id, c.election.cycle)
        running[key] = running.get(key, 0) + c.amount_cents
        yield ReportLine(
            c.pk,
            c.line_item_id,
            c.person_id,
            c.first_name,
            c.last_name,
            c.street,
            c.city,
            c.state,
            c.zip_code,
            c.employer,
            c.occupation,
            c.amount_cents,
            c.paid_at,
            c.election.code,
            c.earmarked,
            running[key],
        )


def adjustments_for_report(
    *, committee_id: int, start: dt.datetime, end: dt.datetime
) -> list[tuple[int, str, int, dt.datetime]]:
    """(contribution id, kind, cents, when) of the refunds and chargebacks made in the period."""
    return list(
        Adjustment.objects.filter(
            contribution__committee_id=committee_id, at__gte=start, at__lt=end
        )
        .order_by("at", "pk")
        .values_list("contribution_id", "kind", "amount_cents", "at")
    )


def recurring_plans_active(*, committee_id: int | None = None) -> list[RecurringPlan]:
    """Plans still running (not cancelled), for the forecast of receipts to come."""
    plans = RecurringPlan.objects.filter(cancelled_at__isnull=True)
    if committee_id is not None:
        plans = plans.filter(committee_id=committee_id)
    return list(plans.order_by("pk"))


def limit_excess_open_count() -> int:
    return LimitExcess.objects.filter(status=LimitExcess.Status.OPEN).count()


def contribution_count() -> int:
    return Contribution.objects.count()


# --- Spending -------------------------------------------------------------------------------
# Commitments with their schedules of installments (``money.commitments``), for the demo and
# the FEC report; where the money went (``money.where``).
from groundgame.money.commitments import commitment_schedules as commitment_schedules  # noqa: E402
from groundgame.money.where import where_the_money_went as where_the_money_went  # noqa: E402
