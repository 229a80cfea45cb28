"""People, their households (geocoded addresses) and their voter records with vote history."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower

from groundgame.core.models import TimestampedModel


class Household(TimestampedModel):
    """One residential address; the people living there share it."""

    street = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip5 = models.CharField(max_length=5)
    county_fips = models.CharField(max_length=5, db_index=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "zip5"], name="household_state_zip_idx")]

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.street}{unit}, {self.city}, {self.state} {self.zip5}"


class Person(TimestampedModel):
    """Anyone the campaign knows: voter, volunteer, donor, or all three."""

    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, db_index=True)
    suffix = models.CharField(max_length=20, blank=True)
    email = models.CharField(max_length=254, blank=True, db_index=True)
    phone = models.CharField(
        max_length=20, blank=True, db_index=True, help_text="E.164, e.g. +19195550123"
    )
    birth_date = models.DateField(null=True, blank=True)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # The team whose turf covers this person's address; decides which staff may see them.
    org_unit = models.ForeignKey(
        "organizing.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="person_name_idx"),
            # Case-insensitive last-name search by range, on a state-size file.
            models.Index(Lower("last_name"), name="person_last_name_lower_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        parts = [self.first_name, self.middle_name, self.last_name, self.suffix]
        return " ".join(p for p in parts if p)


class VoterRecord(TimestampedModel):
    """A person's registration on a state voter file."""

    class Party(models.TextChoices):
        DEMOCRATIC = "DEM", "Democratic"
        REPUBLICAN = "REP", "Republican"
        UNAFFILIATED = "UNA", "Unaffiliated"
        LIBERTARIAN = "LIB", "Libertarian"
        GREEN = "GRE", "Green"
        OTHER = "OTH", "Other"
        # States without party registration (GA, MI, WI, ...) leave it unknown.
        NONE = "", "No party registration"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        REMOVED = "removed", "Removed"

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="voter_record")
    state = models.CharField(max_length=2)
    state_voter_id = models.CharField(max_length=40)
    county_fips = models.CharField(max_length=5, db_index=True)
    party = models.CharField(max_length=3, choices=Party.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    registered_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["state", "state_voter_id"], name="voter_unique_state_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state} voter {self.state_voter_id}"


class VoteHistory(models.Model):
    """That a voter cast a ballot in an election, and how (not for whom: that is secret)."""

    class Method(models.TextChoices):
        ELECTION_DAY = "election_day", "Election day"
        EARLY = "early", "Early in person"
        MAIL = "mail", "Absentee / mail"
        PROVISIONAL = "provisional", "Provisional"

    voter = models.ForeignKey(VoterRecord, on_delete=models.CASCADE, related_name="history")
    election_date = models.DateField()
    election_name = models.CharField(max_length=60)
    method = models.CharField(max_length=12, choices=Method.choices)

    class Meta:
        ordering = ["-election_date"]
        constraints = [
            models.UniqueConstraint(fields=["voter", "election_date"], name="votehistory_unique"),
        ]
        indexes = [models.Index(fields=["election_date"], name="votehistory_date_idx")]

    def __str__(self) -> str:
        return f"{self.voter_id} voted {self.election_name} ({self.method})"
