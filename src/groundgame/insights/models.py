"""The insights app's data."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from groundgame.core.models import TimestampedModel

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
