"""The insights app's data."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from groundgame.core.models import TimestampedModel

# Propensity and experiments ----------------------------------------------------------------


class PropensityModel(TimestampedModel):
    """A state's turnout model: a logistic regression of voting in a general election on the
    voter's history, age and registration, with the figures of its out-of-time backtest."""

    state = models.CharField(max_length=2)
    # The general the model was last fitted on (the last one in the file), and the one it scores.
    fitted_on = models.DateField()
    scores_for = models.DateField()
    # {"intercept": b0, "coefficients": {feature: b}}: applied in SQL to score every voter.
    coefficients = models.JSONField(default=dict)
    # The backtest: fitted on the general before ``fitted_on``, read on ``fitted_on``.
    # {"trained_on", "tested_on", "train_rows", "test_rows", "auc", "brier", "base_rate",
    #  "calibration": [{"predicted", "observed", "voters"}], "by_age": [{"band", "rate", ...}]}
    backtest = models.JSONField(default=dict)
    voters_scored = models.PositiveBigIntegerField(default=0)
    current = models.BooleanField(default=True)
    fitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["state", "current"], name="propensity_state_idx")]

    def __str__(self) -> str:
        return f"{self.state} turnout model for {self.scores_for}"


class PropensityScore(models.Model):
    """A voter's chance of voting in the next general, by their state's current model."""

    # No database foreign keys: a state's scores are written millions at a time in one
    # INSERT ... SELECT, and a checked key costs a lookup per row. Django still cascades.
    voter = models.OneToOneField(
        "people.VoterRecord",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="propensity",
        db_constraint=False,
    )
    model = models.ForeignKey(
        PropensityModel, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    score = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["score"], name="propensity_score_idx")]

    def __str__(self) -> str:
        return f"{self.voter_id}: {self.score:.2f}"


class Program(TimestampedModel):
    """A contact program cut from a universe (a mailing, a canvass, a text program, a mail
    drop or a call list), which may hold out a random share of its households to measure
    what it did."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        DRAWN = "drawn", "Holdout drawn"
        RUNNING = "running", "Running"

    name = models.CharField(max_length=120, unique=True)
    universe = models.ForeignKey("people.Universe", on_delete=models.PROTECT, related_name="+")
    org_unit = models.ForeignKey("organizing.OrgUnit", on_delete=models.PROTECT, related_name="+")
    # Share of households held out, in percent (1-99).
    holdout_percent = models.PositiveSmallIntegerField()
    # The effect the program is meant to have, in hundredths of a percentage point (250 = 2.5
    # points): the power calculator says whether the program is big enough to see it.
    target_effect_bp = models.PositiveIntegerField(default=100)
    seed = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    drawn_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    households = models.PositiveIntegerField(default=0)
    households_held_out = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.name


class ProgramPiece(models.Model):
    """One piece of a program on one channel, named as the one contact rule is asked about
    it: ``mailing:<id>`` (email or text), ``mail:<drop>``, ``call:<list>``, ``doors:<universe
    id>`` (the turf cuts of the program's universe)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pieces")
    key = models.CharField(max_length=120, unique=True)
    channel = models.CharField(max_length=8)
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


class HoldoutAssignment(models.Model):
    """A person of a program's universe, in or out of it: drawn by household, so everyone at
    one address is on the same side."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="assignments")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey("people.Household", on_delete=models.CASCADE, related_name="+")
    held_out = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "person"], name="holdout_person_once"),
        ]
        indexes = [
            models.Index(fields=["program", "held_out", "household"], name="holdout_side_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.program_id}: {self.person_id} {'out' if self.held_out else 'in'}"


class Outcome(TimestampedModel):
    """Something measured after programs ran: turnout in an election (read from the vote
    history), or a file of voters who donated, volunteered or answered a survey."""

    class Kind(models.TextChoices):
        VOTED = "voted", "Voted"
        DONATED = "donated", "Donated"
        VOLUNTEERED = "volunteered", "Volunteered"
        SURVEY = "survey", "Answered a survey"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    election_date = models.DateField(null=True, blank=True)  # for turnout
    rows = models.PositiveIntegerField(default=0)  # for a file: the voters listed
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.name


class OutcomeRecord(models.Model):
    """A person an outcome file lists (they donated, volunteered, answered)."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="records")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outcome", "person"], name="outcome_person_once"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome_id}: {self.person_id}"
