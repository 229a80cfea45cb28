"""The insights API: message tests read with their intervals, outcomes imported into a test
(bad rows answered one by one), and the issue gap of a unit. Staff only."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from groundgame.core.api_types import CleanStr, Id
from groundgame.core.errors import NotFound, ValidationFailed
from groundgame.insights import errors, selectors, services
from groundgame.insights.message_tests_reading import Rate, Reading
from groundgame.organizing import selectors as organizing

router = Router(tags=["insights"])


class RateOut(Schema):
    count: int
    n: int
    rate: float
    low: float
    high: float


class VariantOut(Schema):
    label: str
    share_percent: int
    sent: int
    opens: RateOut
    clicks: RateOut
    donors: RateOut
    donated_cents: int
    unsubscribes: RateOut
    complaints: RateOut
    unsubscribe_cost_cents: int
    net_cents_per_recipient: float


class ComparisonOut(Schema):
    first: str
    second: str
    difference: float
    # None while the data cannot bound the difference yet.
    low: float | None
    high: float | None


class ReadingOut(Schema):
    measure: str
    unit: str
    rule: str
    planned_per_arm: int | None
    comparisons: list[ComparisonOut]
    winner_allowed: str | None
    reason: str
    decided: str | None


class MessageTestOut(ReadingOut):
    mailing_id: int
    name: str
    status: str
    variants: list[VariantOut]


class SurveyArmOut(Schema):
    label: str
    share: RateOut


class SurveyTestOut(ReadingOut):
    test_id: int
    name: str
    kind: str
    waves: int
    arms: list[SurveyArmOut]


def _rate(rate: Rate) -> RateOut:
    return RateOut(count=rate.count, n=rate.n, rate=rate.value, low=rate.low, high=rate.high)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _reading(reading: Reading) -> dict[str, Any]:
    return {
        "measure": reading.metric_label,
        "unit": reading.unit,
        "rule": reading.rule,
        "planned_per_arm": reading.planned,
        "comparisons": [
            ComparisonOut(
                first=c.first,
                second=c.second,
                difference=c.interval.estimate,
                low=_finite(c.interval.low),
                high=_finite(c.interval.high),
            )
            for c in reading.comparisons
        ],
        "winner_allowed": reading.winner,
        "reason": reading.reason,
        "decided": reading.decided,
    }


@router.get("/tests/mailings/{mailing_id}", response=MessageTestOut)
def message_test(request: HttpRequest, mailing_id: Id) -> MessageTestOut:
    """A mailing test read now: each variant's rates with 95% intervals, every pair compared
    by the registered rule, and the winner the rule allows (if any)."""
    reading = selectors.message_test_reading(mailing_id)
    if reading is None:
        raise NotFound("This mailing tests no variants.", code=errors.TEST_NOT_FOUND)
    return MessageTestOut(
        **_reading(reading),
        mailing_id=reading.mailing_id,
        name=reading.name,
        status=reading.status,
        variants=[
            VariantOut(
                label=v.label,
                share_percent=v.share,
                sent=v.sent,
                opens=_rate(v.opens),
                clicks=_rate(v.clicks),
                donors=_rate(v.donors),
                donated_cents=v.donated_cents,
                unsubscribes=_rate(v.unsubscribes),
                complaints=_rate(v.complaints),
                unsubscribe_cost_cents=v.unsubscribe_cost_cents,
                net_cents_per_recipient=v.net_cents_per_recipient,
            )
            for v in reading.variants
        ],
    )


@router.get("/tests/surveys/{test_id}", response=SurveyTestOut)
def survey_test(request: HttpRequest, test_id: Id) -> SurveyTestOut:
    """An ad or persuasion test read now from its waves."""
    reading = selectors.survey_test_reading(test_id)
    if reading is None:
        raise NotFound("No such test.", code=errors.TEST_NOT_FOUND)
    return SurveyTestOut(
        **_reading(reading),
        test_id=reading.test_id,
        name=reading.name,
        kind=reading.kind,
        waves=reading.waves,
        arms=[SurveyArmOut(label=a.label, share=_rate(a.rate)) for a in reading.arms],
    )


class OutcomesIn(Schema):
    csv: CleanStr


class OutcomesOut(Schema):
    added: int
    unchanged: int


class RowProblemOut(Schema):
    row: int
    field: str
    message: str


class OutcomesRefusedOut(Schema):
    code: str
    message: str
    field: str
    problems: list[RowProblemOut]


@router.post(
    "/tests/mailings/{mailing_id}/outcomes",
    response={200: OutcomesOut, 422: OutcomesRefusedOut},
)
def message_outcomes(
    request: HttpRequest, mailing_id: Id, payload: OutcomesIn
) -> tuple[int, OutcomesOut | OutcomesRefusedOut]:
    """Import a test's outcomes as CSV text (``person_id,event,amount,variant``). Any bad row
    refuses the whole file with a 422 ``outcomes_invalid`` listing every bad row."""
    report = services.message_outcomes_import(
        actor=request.user, mailing_id=mailing_id, text=payload.csv
    )
    if report.problems:
        return 422, OutcomesRefusedOut(
            code=errors.OUTCOMES_INVALID,
            message=f"{len(report.problems)} row(s) to fix; nothing was imported.",
            field="csv",
            problems=[
                RowProblemOut(row=p.row, field=p.field, message=p.message) for p in report.problems
            ],
        )
    return 200, OutcomesOut(added=report.added, unchanged=report.unchanged)


class TopicGapOut(Schema):
    key: str
    label: str
    raised: int
    raised_share: float
    said: int
    said_share: float
    gap_points: float


class PeriodOut(Schema):
    label: str
    conversations: int
    messages: int
    topics: list[TopicGapOut]


class IssueGapOut(Schema):
    unit_id: int
    overall: PeriodOut
    weeks: list[PeriodOut]
    counties: list[PeriodOut]


def _period(period: selectors.Period) -> PeriodOut:
    return PeriodOut(
        label=period.label,
        conversations=period.conversations,
        messages=period.messages,
        topics=[
            TopicGapOut(
                key=t.key,
                label=t.label,
                raised=t.raised,
                raised_share=t.raised_share,
                said=t.said,
                said_share=t.said_share,
                gap_points=t.gap,
            )
            for t in period.topics
        ],
    )


@router.get("/issues/gap", response=IssueGapOut)
def issue_gap(request: HttpRequest, unit_id: Id, weeks: int = 8) -> IssueGapOut:
    """What voters raised at the door against what the campaign's messages mention, under a
    unit, over the last 1 to 52 weeks."""
    if not 1 <= weeks <= 52:
        raise ValidationFailed(
            "The window is 1 to 52 weeks.", code=errors.WINDOW_INVALID, field="weeks"
        )
    unit = organizing.org_unit_get(unit_id)
    if unit is None:
        raise NotFound("No such unit.", code=errors.UNIT_UNKNOWN)
    today = timezone.localdate()
    gap = selectors.issue_gap(
        unit_path=unit.path, since=today - dt.timedelta(weeks=weeks - 1), until=today
    )
    return IssueGapOut(
        unit_id=unit.pk,
        overall=_period(gap.overall),
        weeks=[_period(w) for w in gap.weeks],
        counties=[_period(c) for c in gap.counties],
    )
