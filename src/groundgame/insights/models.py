"""The insights app's data."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from groundgame.core.models import TimestampedModel

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
