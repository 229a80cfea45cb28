"""Reading message tests: each variant's rates with their 95% intervals, the comparison of
every pair of variants by the registered rule, and whether the rule allows a winner now.

A variant's unsubscribes are counted against it: the test's default measure is the net
value per recipient, the money its recipients gave less ``GROUNDGAME_SUBSCRIBER_VALUE_CENTS``
for each person who left after it (attributed by last touch, as list health attributes a
mailing's). The variance of that measure treats giving and leaving as separate people (a
recipient who gives and then leaves after the same message is rare enough to leave out).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from statistics import NormalDist

from django.conf import settings
from django.db.models import Count, F, Sum

from groundgame.core.money import format_cents
from groundgame.insights import message_tests_rule as rule
from groundgame.insights.models import MessageOutcome, MessageTest, SurveyTest, TestRule
from groundgame.messaging import selectors as messaging_selectors

_Z = NormalDist().inv_cdf(0.975)
_NOT_SENT = ("draft", "scheduled", "cancelled")


@dataclass(frozen=True)
class Rate:
    """A count among ``n`` with its 95% Wilson interval (0 to 1)."""

    count: int
    n: int
    low: float
    high: float

    @classmethod
    def of(cls, count: int, n: int) -> Rate:
        if n <= 0:
            return cls(count, n, 0.0, 1.0)
        p = count / n
        centre = (p + _Z * _Z / (2 * n)) / (1 + _Z * _Z / n)
        half = _Z * math.sqrt(p * (1 - p) / n + _Z * _Z / (4 * n * n)) / (1 + _Z * _Z / n)
        return cls(count, n, max(0.0, centre - half), min(1.0, centre + half))

    @property
    def value(self) -> float:
        return self.count / self.n if self.n else 0.0


@dataclass(frozen=True)
class VariantRow:
    variant_id: int
    label: str
    share: int
    sender_name: str
    subject: str
    sent: int
    opens: Rate
    clicks: Rate
    donors: Rate
    donated_cents: int
    unsubscribes: Rate
    complaints: Rate
    unsubscribe_cost_cents: int
    arm: rule.Arm  # the registered measure per recipient

    @property
    def net_cents(self) -> int:
        return self.donated_cents - self.unsubscribe_cost_cents

    @property
    def net_cents_per_recipient(self) -> float:
        return self.net_cents / self.sent if self.sent else 0.0

    @property
    def donated_dollars(self) -> str:
        return format_cents(self.donated_cents)

    @property
    def unsubscribe_cost_dollars(self) -> str:
        return format_cents(self.unsubscribe_cost_cents)

    @property
    def net_per_recipient_dollars(self) -> str:
        return format_cents(round(self.net_cents_per_recipient))


@dataclass(frozen=True)
class Comparison:
    first: str
    second: str
    interval: rule.Interval  # first minus second, in the measure's unit


@dataclass(frozen=True)
class Reading:
    """A test read now: its arms, every pair compared, and what the rule allows."""

    metric_label: str
    # "points" for rates (the intervals are multiplied by 100), "cents" for value.
    unit: str
    rule: str
    planned: int | None
    comparisons: list[Comparison]
    winner: str | None
    reason: str
    decided: str | None
    decided_at: dt.datetime | None

    @property
    def rule_label(self) -> str:
        return TestRule(self.rule).label


@dataclass(frozen=True)
class MessageTestReading(Reading):
    mailing_id: int
    name: str
    status: str
    variants: list[VariantRow]

    @property
    def awaiting_decision(self) -> bool:
        return self.decided is None and self.status not in _NOT_SENT


def _metric_arm(metric: str, sent: int, counts: dict[str, int], value: tuple[int, int]) -> rule.Arm:
    if metric == MessageTest.Metric.VALUE:
        total, total_sq = value
        return rule.Arm(n=sent, total=total, total_sq=total_sq)
    return rule.Arm.of_rate(sent, counts.get(metric, 0))


def _comparisons(
    labels: list[str], decision: rule.Decision, scale: float, *, rates: bool
) -> list[Comparison]:
    """Every pair's interval in the measure's unit; a difference of two rates lies within
    100 points either way, so a wide early interval is cut there."""
    out = []
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            found = decision.intervals[(i, j)]
            out.append(
                Comparison(
                    labels[i],
                    labels[j],
                    rule.Interval(
                        found.estimate * scale,
                        max(found.low * scale, -scale) if rates else found.low * scale,
                        min(found.high * scale, scale) if rates else found.high * scale,
                    ),
                )
            )
    return out


def message_test_reading(mailing_id: int) -> MessageTestReading | None:
    """The test of a mailing with variants, read now; None for a mailing without."""
    mailing = messaging_selectors.mailing_get(mailing_id)
    if mailing is None or mailing.variant_seed is None:
        return None
    test = MessageTest.objects.filter(mailing_id=mailing_id).select_related("winner").first()
    metric = test.metric if test else MessageTest.Metric.VALUE
    test_rule = test.rule if test else TestRule.SEQUENTIAL
    planned = test.planned_per_variant if test else None
    worth = settings.GROUNDGAME_SUBSCRIBER_VALUE_CENTS
    outcomes: dict[tuple[int | None, str], tuple[int, int, int]] = {
        (row["variant_id"], row["kind"]): (row["n"], row["cents"] or 0, row["squares"] or 0)
        for row in MessageOutcome.objects.filter(mailing_id=mailing_id)
        .values("variant_id", "kind")
        .annotate(
            n=Count("pk"),
            cents=Sum("amount_cents"),
            squares=Sum(F("amount_cents") * F("amount_cents")),
        )
        .order_by()
    }
    rows: list[VariantRow] = []
    for counted in messaging_selectors.variant_counts(mailing_id):
        v = counted.variant
        counts = {
            str(kind): outcomes.get((v.pk, kind), (0, 0, 0))[0] for kind in MessageOutcome.Kind
        }
        _n, cents, squares = outcomes.get((v.pk, MessageOutcome.Kind.DONATION), (0, 0, 0))
        cost = counted.unsubscribes * worth
        value = (cents - cost, squares + counted.unsubscribes * worth * worth)
        rows.append(
            VariantRow(
                variant_id=v.pk,
                label=v.label,
                share=v.share,
                sender_name=v.sender_name,
                subject=v.subject,
                sent=counted.sent,
                opens=Rate.of(counts[MessageOutcome.Kind.OPEN], counted.sent),
                clicks=Rate.of(counts[MessageOutcome.Kind.CLICK], counted.sent),
                donors=Rate.of(counts[MessageOutcome.Kind.DONATION], counted.sent),
                donated_cents=cents,
                unsubscribes=Rate.of(counted.unsubscribes, counted.sent),
                complaints=Rate.of(counted.complaints, counted.sent),
                unsubscribe_cost_cents=cost,
                arm=_metric_arm(metric, counted.sent, counts, value),
            )
        )
    decision = rule.decide([r.arm for r in rows], rule=test_rule, planned_per_arm=planned)
    is_value = metric == MessageTest.Metric.VALUE
    labels = [r.label for r in rows]
    return MessageTestReading(
        metric_label=MessageTest.Metric(metric).label,
        unit="cents" if is_value else "points",
        rule=test_rule,
        planned=planned,
        comparisons=_comparisons(labels, decision, 1.0 if is_value else 100.0, rates=not is_value),
        winner=labels[decision.winner] if decision.winner is not None else None,
        reason=decision.reason,
        decided=test.winner.label if test and test.winner else None,
        decided_at=test.decided_at if test else None,
        mailing_id=mailing.pk,
        name=mailing.name,
        status=mailing.status,
        variants=rows,
    )


def message_test_list() -> list[MessageTestReading]:
    """Every mailing test, newest first, read now."""
    readings = (message_test_reading(m.pk) for m in messaging_selectors.mailing_test_list()[:100])
    return [r for r in readings if r is not None]


@dataclass(frozen=True)
class SurveyArm:
    label: str
    rate: Rate


@dataclass(frozen=True)
class SurveyTestReading(Reading):
    test_id: int
    name: str
    kind: str
    measure: str
    unit_name: str
    waves: int
    arms: list[SurveyArm]

    @property
    def awaiting_decision(self) -> bool:
        return self.decided is None and self.waves > 0


def _survey_reading(test: SurveyTest) -> SurveyTestReading:
    waves = list(test.waves.all())
    treatment = rule.Arm.of_rate(
        sum(w.treatment_n for w in waves), sum(w.treatment_yes for w in waves)
    )
    control = rule.Arm.of_rate(sum(w.control_n for w in waves), sum(w.control_yes for w in waves))
    decision = rule.decide(
        [treatment, control], rule=test.rule, planned_per_arm=test.planned_per_arm
    )
    labels = [SurveyTest.Winner.TREATMENT.value, SurveyTest.Winner.CONTROL.value]
    return SurveyTestReading(
        metric_label=test.measure,
        unit="points",
        rule=test.rule,
        planned=test.planned_per_arm,
        comparisons=_comparisons(labels, decision, 100.0, rates=True),
        winner=labels[decision.winner] if decision.winner is not None else None,
        reason=decision.reason if waves else "No results entered yet.",
        decided=test.winner or None,
        decided_at=test.decided_at,
        test_id=test.pk,
        name=test.name,
        kind=test.get_kind_display(),
        measure=test.measure,
        unit_name=test.org_unit.name,
        waves=len(waves),
        arms=[
            SurveyArm("Treatment", Rate.of(int(treatment.total), treatment.n)),
            SurveyArm("Control", Rate.of(int(control.total), control.n)),
        ],
    )


def survey_test_reading(test_id: int) -> SurveyTestReading | None:
    test = (
        SurveyTest.objects.select_related("org_unit")
        .prefetch_related("waves")
        .filter(pk=test_id)
        .first()
    )
    return _survey_reading(test) if test else None


def survey_test_list() -> list[SurveyTestReading]:
    tests = (
        SurveyTest.objects.select_related("org_unit")
        .prefetch_related("waves")
        .order_by("-created_at", "-pk")[:100]
    )
    return [_survey_reading(t) for t in tests]


def tests_awaiting_decision() -> int:
    """Tests under way without a decision: mailings with variants that went out, and survey
    tests with results entered."""
    return sum(r.awaiting_decision for r in message_test_list()) + sum(
        r.awaiting_decision for r in survey_test_list()
    )
