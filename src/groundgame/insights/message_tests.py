"""Writes of message tests: a mailing test's rule registered before it goes out, the
outcomes its recipients had (imported from a file), survey tests of ads and persuasion with
their waves, and the winner, recorded only when the test's rule allows it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from groundgame.audit.services import Actor, audit_create, audit_record, audit_update, snapshot
from groundgame.audit.services import Kind as AuditKind
from groundgame.core.errors import NotFound, PermissionDenied, ValidationFailed
from groundgame.core.money import cents_from_dollars
from groundgame.core.text import text_problem
from groundgame.insights import errors, message_tests_reading
from groundgame.insights.models import (
    MessageOutcome,
    MessageTest,
    SurveyTest,
    SurveyWave,
    TestRule,
)
from groundgame.messaging import selectors as messaging_selectors
from groundgame.messaging import services as messaging_services
from groundgame.organizing import selectors as organizing_selectors

# A file of outcomes is read whole before anything is written; past this it is refused.
MAX_OUTCOME_ROWS = 200_000
_EDITABLE = ("draft", "scheduled")


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _rule_checked(rule: str, planned: int | None, *, field: str) -> int | None:
    if rule not in TestRule.values:
        raise ValidationFailed(
            f"A test is read by the always-valid rule or a fixed size, not {rule!r}.",
            code=errors.TEST_INVALID,
            field="rule",
        )
    if rule == TestRule.FIXED:
        if planned is None or planned < 100:
            raise ValidationFailed(
                "A fixed-size test needs its size, at least 100, written down before it starts.",
                code=errors.TEST_INVALID,
                field=field,
            )
        return planned
    return None


def message_test_register(
    *,
    actor: Actor,
    mailing_id: int,
    metric: str = MessageTest.Metric.VALUE,
    rule: str = TestRule.SEQUENTIAL,
    planned_per_variant: int | None = None,
) -> MessageTest:
    """Write down how a mailing's variants will be read, before it goes out: after, the
    registration is fixed, so the rule cannot be picked to suit the results."""
    with transaction.atomic():
        mailing = messaging_services.mailing_change_check(actor=actor, mailing_id=mailing_id)
        if mailing.status not in _EDITABLE:
            raise ValidationFailed(
                "The test's rule is registered before the mailing goes out; this one has.",
                code=errors.TEST_NOT_EDITABLE,
            )
        if mailing.variant_seed is None:
            raise ValidationFailed(
                "Give the mailing variants first.", code=errors.TEST_INVALID, field="mailing"
            )
        if metric not in MessageTest.Metric.values:
            raise ValidationFailed(
                f"Unknown measure {metric!r}.", code=errors.TEST_INVALID, field="metric"
            )
        planned = _rule_checked(rule, planned_per_variant, field="planned_per_variant")
        test = MessageTest.objects.filter(mailing=mailing).first()
        if test is None:
            test = MessageTest.objects.create(
                mailing=mailing, metric=metric, rule=rule, planned_per_variant=planned
            )
            audit_create(actor=actor, action="insights.message_test_register", instance=test)
            return test
        before = snapshot(test)
        test.metric, test.rule, test.planned_per_variant = metric, rule, planned
        test.save()
        audit_update(
            actor=actor, action="insights.message_test_register", instance=test, before=before
        )
    return test


@dataclass(frozen=True)
class RowProblem:
    row: int  # the file's line number, the header being line 1
    field: str
    message: str


@dataclass
class OutcomeReport:
    """What an import did: outcomes added, rows already there, and every bad row (nothing
    is written when there is one)."""

    added: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)


_OUTCOME_COLUMNS = ("person_id", "event")


def _parse_outcomes(
    mailing_id: int, text: str, report: OutcomeReport
) -> list[tuple[int, int | None, str, int]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in _OUTCOME_COLUMNS if c not in header]
    if missing:
        raise ValidationFailed(
            f"The file needs the columns {', '.join(_OUTCOME_COLUMNS)} (missing: "
            f"{', '.join(missing)}); amount and variant are optional.",
            code=errors.OUTCOMES_INVALID,
            field="file",
        )
    variants = {v.label: v.pk for v in messaging_selectors.mailing_variants(mailing_id)}
    parsed: list[tuple[int, int, str, int, str]] = []
    seen: dict[tuple[int, str], int] = {}
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_OUTCOME_ROWS:
            raise ValidationFailed(
                f"A file holds at most {MAX_OUTCOME_ROWS:,} outcomes; split it.",
                code=errors.OUTCOMES_INVALID,
                field="file",
            )
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        problem = next((text_problem(v) for v in row.values() if text_problem(v)), None)
        if problem:
            report.problems.append(RowProblem(number, "row", problem))
            continue
        try:
            person_id = int(row["person_id"])
        except ValueError:
            report.problems.append(
                RowProblem(number, "person_id", f"{row['person_id']!r} is not a person's id.")
            )
            continue
        kind = row["event"].lower()
        if kind not in MessageOutcome.Kind.values:
            report.problems.append(
                RowProblem(number, "event", f"{row['event']!r} is not open, click or donation.")
            )
            continue
        amount = 0
        if kind == MessageOutcome.Kind.DONATION:
            try:
                amount = cents_from_dollars(row.get("amount", ""), field="amount")
            except ValidationFailed as exc:
                report.problems.append(RowProblem(number, "amount", exc.message))
                continue
            if amount <= 0:
                report.problems.append(
                    RowProblem(number, "amount", "A donation needs an amount above zero.")
                )
                continue
        label = row.get("variant", "")
        if label and label not in variants:
            report.problems.append(
                RowProblem(
                    number,
                    "variant",
                    f"Unknown variant {label!r}; this mailing's are {', '.join(sorted(variants))}.",
                )
            )
            continue
        if (person_id, kind) in seen:
            report.problems.append(
                RowProblem(number, "person_id", f"Repeats line {seen[(person_id, kind)]} ({kind}).")
            )
            continue
        seen[(person_id, kind)] = number
        parsed.append((number, person_id, kind, amount, label))
    sent = messaging_selectors.sent_variants(mailing_id, {p for _n, p, _k, _a, _l in parsed})
    rows: list[tuple[int, int | None, str, int]] = []
    for number, person_id, kind, amount, label in parsed:
        if person_id not in sent:
            report.problems.append(
                RowProblem(number, "person_id", f"Person {person_id} was not sent this mailing.")
            )
            continue
        if label and sent[person_id] != variants[label]:
            report.problems.append(
                RowProblem(number, "variant", f"Person {person_id} was not sent variant {label}.")
            )
            continue
        rows.append((person_id, sent[person_id], kind, amount))
    return rows


def message_outcomes_import(*, actor: Actor, mailing_id: int, text: str) -> OutcomeReport:
    """Record what the recipients of a test did, from a CSV file (``person_id``, ``event``:
    open, click or donation, ``amount`` in dollars for a donation, ``variant`` optional and
    checked). Every bad row is reported with its line number and nothing is written; a row
    already recorded is left as it is, so importing a file twice changes nothing."""
    report = OutcomeReport()
    with transaction.atomic():
        messaging_services.mailing_change_check(actor=actor, mailing_id=mailing_id)
        try:
            rows = _parse_outcomes(mailing_id, text, report)
        except csv.Error as exc:
            raise ValidationFailed(
                f"The file cannot be read as CSV: {exc}.",
                code=errors.OUTCOMES_INVALID,
                field="file",
            ) from None
        report.problems.sort(key=lambda p: p.row)
        if report.problems:
            return report
        now = timezone.now()
        existing = set(
            MessageOutcome.objects.filter(mailing_id=mailing_id).values_list("person_id", "kind")
        )
        new = [
            MessageOutcome(
                mailing_id=mailing_id,
                person_id=person_id,
                variant_id=variant_id,
                kind=kind,
                amount_cents=amount,
                imported_at=now,
            )
            for person_id, variant_id, kind, amount in rows
            if (person_id, kind) not in existing
        ]
        MessageOutcome.objects.bulk_create(new, batch_size=2000)
        report.added = len(new)
        report.unchanged = len(rows) - len(new)
        audit_record(
            actor=actor,
            kind=AuditKind.BULK,
            action="insights.message_outcomes_import",
            entity_type="messaging.mailing",
            entity_id=mailing_id,
            summary=f"{report.added} outcomes added, {report.unchanged} already recorded",
        )
    return report


def message_test_decide(*, actor: Actor, mailing_id: int, variant_label: str) -> MessageTest:
    """Record the winner, only if the registered rule names that variant now."""
    with transaction.atomic():
        messaging_services.mailing_change_check(actor=actor, mailing_id=mailing_id)
        reading = message_tests_reading.message_test_reading(mailing_id)
        if reading is None:
            raise NotFound("This mailing tests no variants.", code=errors.TEST_NOT_FOUND)
        labels = [row.label for row in reading.variants]
        if variant_label not in labels:
            raise ValidationFailed(
                f"Unknown variant {variant_label!r}; this test's are {', '.join(labels)}.",
                code=errors.VARIANT_UNKNOWN,
                field="variant",
            )
        if reading.winner != variant_label:
            raise ValidationFailed(
                f"The rule does not name {variant_label} the winner: {reading.reason}",
                code=errors.DECISION_NOT_ALLOWED,
                field="variant",
            )
        test, _created = MessageTest.objects.get_or_create(mailing_id=mailing_id)
        before = snapshot(test)
        test.winner_id = reading.variants[labels.index(variant_label)].variant_id
        test.decided_at = timezone.now()
        test.decided_by = _user(actor)
        test.save()
        audit_update(
            actor=actor, action="insights.message_test_decide", instance=test, before=before
        )
    return test


# Survey tests ---------------------------------------------------------------------------


def _unit_in_scope(actor: Actor, unit_id: int) -> organizing_selectors.OrgUnit:
    unit = organizing_selectors.org_unit_get(unit_id)
    if unit is None:
        raise ValidationFailed("No such unit.", code=errors.UNIT_UNKNOWN, field="org_unit")
    if not organizing_selectors.staff_scope(actor).covers(unit.path):
        raise PermissionDenied(
            "That unit is outside your units.", code=errors.NOT_IN_SCOPE, field="org_unit"
        )
    return unit


def survey_test_create(
    *,
    actor: Actor,
    name: str,
    kind: str,
    measure: str,
    org_unit_id: int,
    rule: str = TestRule.SEQUENTIAL,
    planned_per_arm: int | None = None,
    ad_id: int | None = None,
) -> SurveyTest:
    """An ad or persuasion test for a unit, with its rule written down before any wave."""
    if not name.strip():
        raise ValidationFailed("Name the test.", code=errors.TEST_INVALID, field="name")
    if kind not in SurveyTest.Kind.values:
        raise ValidationFailed(
            "A survey test tests an ad or persuasion.", code=errors.TEST_INVALID, field="kind"
        )
    if not measure.strip():
        raise ValidationFailed(
            "Say what the share measures (\u201cwould vote for us\u201d).",
            code=errors.TEST_INVALID,
            field="measure",
        )
    planned = _rule_checked(rule, planned_per_arm, field="planned_per_arm")
    with transaction.atomic():
        unit = _unit_in_scope(actor, org_unit_id)
        test = SurveyTest.objects.create(
            name=name.strip()[:200],
            kind=kind,
            measure=measure.strip()[:200],
            org_unit=unit,
            ad_id=ad_id,
            rule=rule,
            planned_per_arm=planned,
            created_by=_user(actor),
        )
        audit_create(actor=actor, action="insights.survey_test_create", instance=test)
    return test


def _share_checked(value: float, field_name: str) -> float:
    if not 0 <= value <= 100:
        raise ValidationFailed(
            "A share is a percent from 0 to 100.", code=errors.SURVEY_WAVE_INVALID, field=field_name
        )
    return value


def _size_checked(value: int, field_name: str) -> int:
    if not 1 <= value <= 10_000_000:
        raise ValidationFailed(
            "A sample size is a whole number of respondents, at least 1.",
            code=errors.SURVEY_WAVE_INVALID,
            field=field_name,
        )
    return value


def _survey_test_to_change(actor: Actor, test_id: int) -> SurveyTest:
    test = SurveyTest.objects.select_for_update().filter(pk=test_id).first()
    if test is None:
        raise NotFound("No such test.", code=errors.TEST_NOT_FOUND)
    _unit_in_scope(actor, test.org_unit_id)
    return test


def survey_wave_add(
    *,
    actor: Actor,
    test_id: int,
    treatment_n: int,
    treatment_share: float,
    control_n: int,
    control_share: float,
) -> SurveyWave:
    """One wave of results, entered as the share answering the measured way (percent) and
    the sample size of each arm; stored as counts of respondents."""
    with transaction.atomic():
        test = _survey_test_to_change(actor, test_id)
        if test.decided_at is not None:
            raise ValidationFailed(
                "This test is decided; start another for new results.",
                code=errors.TEST_NOT_EDITABLE,
            )
        wave = SurveyWave.objects.create(
            test=test,
            treatment_n=_size_checked(treatment_n, "treatment_n"),
            treatment_yes=round(
                _share_checked(treatment_share, "treatment_share") * treatment_n / 100
            ),
            control_n=_size_checked(control_n, "control_n"),
            control_yes=round(_share_checked(control_share, "control_share") * control_n / 100),
            entered_at=timezone.now(),
            entered_by=_user(actor),
        )
        audit_create(actor=actor, action="insights.survey_wave_add", instance=wave)
    return wave


def survey_test_decide(*, actor: Actor, test_id: int, arm: str) -> SurveyTest:
    """Record the winning arm, only if the test's rule names it now."""
    with transaction.atomic():
        test = _survey_test_to_change(actor, test_id)
        if arm not in SurveyTest.Winner.values:
            raise ValidationFailed(
                f"Unknown arm {arm!r}: treatment or control.",
                code=errors.VARIANT_UNKNOWN,
                field="arm",
            )
        reading = message_tests_reading.survey_test_reading(test.pk)
        if reading is None or reading.winner != arm:
            reason = reading.reason if reading is not None else "No results yet."
            raise ValidationFailed(
                f"The rule does not name the {arm} the winner: {reason}",
                code=errors.DECISION_NOT_ALLOWED,
                field="arm",
            )
        before = snapshot(test)
        test.winner = arm
        test.decided_at = timezone.now()
        test.save()
        audit_update(
            actor=actor, action="insights.survey_test_decide", instance=test, before=before
        )
    return test
