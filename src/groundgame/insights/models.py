"""The insights app's data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from groundgame.core.models import TimestampedModel

# Message tests and issues --------------------------------------------------------------


class TestRule(models.TextChoices):
    """How a test may name a winner (``message_tests_rule``)."""

    SEQUENTIAL = "sequential", "Always valid (read at any time)"
    FIXED = "fixed", "Fixed size, read once"


class MessageTest(TimestampedModel):
    """How a mailing's variants are read, registered before it goes out, and the winner
    once the rule allowed one."""

    class Metric(models.TextChoices):
        VALUE = "value", "Net value per recipient (gifts less unsubscribes' worth)"
        CLICK = "click", "Click rate"
        OPEN = "open", "Open rate"
        DONATION = "donation", "Donation rate"

    mailing = models.OneToOneField("messaging.Mailing", on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=10, choices=Metric.choices, default=Metric.VALUE)
    rule = models.CharField(max_length=10, choices=TestRule.choices, default=TestRule.SEQUENTIAL)
    # The size per variant a fixed-horizon test is read at.
    planned_per_variant = models.PositiveIntegerField(null=True, blank=True)
    winner = models.ForeignKey(
        "messaging.MailingVariant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"test of mailing {self.mailing_id}"


class MessageOutcome(models.Model):
    """What one recipient of a test did after it: opened, clicked, gave (with the amount),
    as imported from the provider's and the donation platform's reports."""

    class Kind(models.TextChoices):
        OPEN = "open", "Opened"
        CLICK = "click", "Clicked"
        DONATION = "donation", "Donated"

    mailing = models.ForeignKey("messaging.Mailing", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(
        "messaging.MailingVariant", null=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    amount_cents = models.BigIntegerField(default=0)
    imported_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "person", "kind"], name="message_outcome_once"
            )
        ]
        indexes = [models.Index(fields=["variant", "kind"], name="message_outcome_variant_idx")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.person_id} after {self.mailing_id}"


class IssueTopic(models.Model):
    """One topic of the campaign's one vocabulary: what voters raise at the door (the keys
    of the canvass issues question) and what the campaign's messages are tagged with."""

    key = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.label


class Ad(TimestampedModel):
    """An ad the campaign ran, where and when, so its topics count in the message mix."""

    class Medium(models.TextChoices):
        TV = "tv", "Television"
        DIGITAL = "digital", "Digital"
        RADIO = "radio", "Radio"
        MAIL = "mail", "Mail"

    name = models.CharField(max_length=200)
    medium = models.CharField(max_length=8, choices=Medium.choices)
    org_unit = models.ForeignKey("organizing.OrgUnit", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.name


class TopicTag(models.Model):
    """A topic one of the campaign's messages is about: a mailing, a script or talking point,
    or an ad (exactly one)."""

    topic = models.ForeignKey(IssueTopic, on_delete=models.CASCADE, related_name="tags")
    mailing = models.ForeignKey(
        "messaging.Mailing", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    content_item = models.ForeignKey(
        "content.ContentItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ad = models.ForeignKey(Ad, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(mailing__isnull=False, content_item__isnull=True, ad__isnull=True)
                    | Q(mailing__isnull=True, content_item__isnull=False, ad__isnull=True)
                    | Q(mailing__isnull=True, content_item__isnull=True, ad__isnull=False)
                ),
                name="topic_tag_one_message",
            ),
            models.UniqueConstraint(
                fields=["topic", "mailing"],
                condition=Q(mailing__isnull=False),
                name="topic_tag_mailing_once",
            ),
            models.UniqueConstraint(
                fields=["topic", "content_item"],
                condition=Q(content_item__isnull=False),
                name="topic_tag_content_once",
            ),
            models.UniqueConstraint(
                fields=["topic", "ad"], condition=Q(ad__isnull=False), name="topic_tag_ad_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}"


class SurveyTest(TimestampedModel):
    """An ad or persuasion test read from survey results: the share answering one way among
    those shown the treatment against a control group, entered wave by wave."""

    class Kind(models.TextChoices):
        AD = "ad", "Ad test"
        PERSUASION = "persuasion", "Persuasion test"

    class Winner(models.TextChoices):
        TREATMENT = "treatment", "Treatment"
        CONTROL = "control", "Control"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # What the share measures ("would vote for our candidate").
    measure = models.CharField(max_length=200)
    org_unit = models.ForeignKey("organizing.OrgUnit", on_delete=models.PROTECT, related_name="+")
    ad = models.ForeignKey(Ad, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule = models.CharField(max_length=10, choices=TestRule.choices, default=TestRule.SEQUENTIAL)
    planned_per_arm = models.PositiveIntegerField(null=True, blank=True)
    winner = models.CharField(max_length=10, choices=Winner.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.name


class SurveyWave(models.Model):
    """One wave of a survey test's results: respondents and those answering the measured
    way, per arm (entered as a share and a sample size)."""

    test = models.ForeignKey(SurveyTest, on_delete=models.CASCADE, related_name="waves")
    treatment_n = models.PositiveIntegerField()
    treatment_yes = models.PositiveIntegerField()
    control_n = models.PositiveIntegerField()
    control_yes = models.PositiveIntegerField()
    entered_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["test", "entered_at", "pk"]

    def __str__(self) -> str:
        return f"wave of {self.test_id}"


# Polls ---------------------------------------------------------------------------------------


class Poll(TimestampedModel):
    """One question of one presidential poll: the shares of the Democrat and the Republican
    among the people asked. A poll imported from 538's files keeps 538's ids, so importing it
    again changes it in place; one entered by hand has none."""

    class Population(models.TextChoices):
        LIKELY = "lv", "Likely voters"
        VOTERS = "v", "Voters"
        REGISTERED = "rv", "Registered voters"
        ADULTS = "a", "Adults"

    poll_id = models.PositiveBigIntegerField(null=True, blank=True)
    question_id = models.PositiveBigIntegerField(null=True, blank=True)
    cycle = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=2, blank=True)  # empty: a national poll
    pollster = models.CharField(max_length=200)
    grade = models.CharField(max_length=8, blank=True)
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    population = models.CharField(max_length=2, choices=Population.choices)
    start_date = models.DateField()
    end_date = models.DateField()
    dem_candidate = models.CharField(max_length=200)
    rep_candidate = models.CharField(max_length=200)
    dem_pct = models.FloatField()
    rep_pct = models.FloatField()
    other_pct = models.FloatField(default=0.0)
    source = models.CharField(max_length=200, blank=True)  # the file it came from
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-end_date", "state", "pollster"]
        constraints = [
            models.UniqueConstraint(
                fields=["poll_id", "state"],
                condition=models.Q(poll_id__isnull=False),
                name="poll_unique_538_poll_per_state",
            ),
        ]
        indexes = [models.Index(fields=["state", "end_date"], name="poll_state_end")]

    def __str__(self) -> str:
        place = self.state or "national"
        return f"{self.pollster} ({place}, {self.end_date:%Y-%m-%d})"


class PollImport(TimestampedModel):
    """One poll file read into the polls: its progress and what it did."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    filename = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The uploaded text, kept until the run has read it.
    content = models.TextField(blank=True)
    lines = models.PositiveIntegerField(default=0)
    polls = models.PositiveIntegerField(default=0)  # polls read from the file, to write
    done = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"poll import {self.pk} ({self.filename})"


class PollImportProblem(models.Model):
    """A line of a poll file that was not read, and why."""

    poll_import = models.ForeignKey(PollImport, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["line"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


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


# --- Turnout and results -------------------------------------------------------------------
# Public returns and ballots by method, loaded from files (``groundgame insights load``). Each
# row keeps the file and line it came from, so every figure on the desk can be traced back.


class CountyReturn(models.Model):
    """A county's presidential votes in one general election."""

    year = models.PositiveSmallIntegerField()
    county_fips = models.CharField(max_length=5)
    state = models.CharField(max_length=2)
    county_name = models.CharField(max_length=100, blank=True)
    votes_dem = models.PositiveIntegerField()
    votes_gop = models.PositiveIntegerField()
    votes_other = models.PositiveIntegerField()
    total_votes = models.PositiveIntegerField()
    source_file = models.CharField(max_length=100)
    source_row = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "county_fips"], name="countyreturn_unique"),
        ]
        indexes = [models.Index(fields=["year", "state"], name="countyreturn_year_state")]

    def __str__(self) -> str:
        return f"{self.county_fips} {self.year}: {self.total_votes:,} votes"


class CountyBallots(models.Model):
    """Ballots a county counted in one general election, before and on election day (EAVS:
    ballots cast for any office, so a little above the presidential votes)."""

    year = models.PositiveSmallIntegerField()
    county_fips = models.CharField(max_length=5)
    state = models.CharField(max_length=2)
    total = models.PositiveIntegerField()
    early = models.PositiveIntegerField(help_text="Mail, absentee and early in person.")
    source_file = models.CharField(max_length=100)
    source_row = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "county_fips"], name="countyballots_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.county_fips} {self.year}: {self.early:,} of {self.total:,} early"


class StateCandidateReturn(models.Model):
    """One candidate's votes in one state, third parties on their own rows."""

    year = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=2)
    candidate = models.CharField(max_length=120)
    party = models.CharField(max_length=60)
    votes = models.PositiveIntegerField()
    source_file = models.CharField(max_length=100)
    source_row = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "state", "candidate"], name="statecandidatereturn_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} in {self.state} {self.year}: {self.votes:,}"


class ElectionFileLoad(models.Model):
    """One load of a public election file: how many rows landed and the rows refused, each
    with its line number and reason."""

    file_name = models.CharField(max_length=100)
    loaded_at = models.DateTimeField()
    rows_loaded = models.PositiveIntegerField()
    refusals = models.JSONField(default=list)

    class Meta:
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.file_name} at {self.loaded_at:%Y-%m-%d %H:%M}"


class EarlyVoteCount(TimestampedModel):
    """Ballots a county has cast before election day in this year's presidential election."""

    year = models.PositiveSmallIntegerField()
    county_fips = models.CharField(max_length=5)
    early_ballots = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "county_fips"], name="earlyvotecount_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.county_fips} {self.year}: {self.early_ballots:,} early"


class TurnoutGoal(TimestampedModel):
    """The ballots the campaign aims for in a state (a campaign-wide setting)."""

    year = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=2)
    ballots = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "state"], name="turnoutgoal_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.state} {self.year}: {self.ballots:,} ballots"
