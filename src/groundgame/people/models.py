"""People, their households (geocoded addresses) and their voter records with vote history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from groundgame.core.models import TimestampedModel


class FileLoadedModel(TimestampedModel):
    """The tables a state's voter file writes by the million. Nothing looks their rows up by
    when they were made, so that time has no index here: every index is paid for by each row of
    every file, and by each sign-up."""

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Household(FileLoadedModel):
    """One residential address; the people living there share it."""

    street = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    zip5 = models.CharField(max_length=5)
    county_fips = models.CharField(max_length=5)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = [
            # The voter-file import finds the household at an address, batch by batch; its
            # (state, zip5) prefix serves lookups by ZIP code too.
            models.Index(
                fields=["state", "zip5", "street", "unit", "city"], name="household_address_idx"
            ),
            # Codes compared whole: a plain index (``db_index`` would add a LIKE twin).
            models.Index(fields=["county_fips"], name="household_county_idx"),
        ]

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.street}{unit}, {self.city}, {self.state} {self.zip5}"


class Person(FileLoadedModel):
    """Anyone the campaign knows: voter, volunteer, donor, or all three."""

    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    # Searched through person_name_idx (last name first) and person_last_name_lower_idx.
    last_name = models.CharField(max_length=100)
    suffix = models.CharField(max_length=20, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +19195550123")
    birth_date = models.DateField(null=True, blank=True)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # The team whose turf covers this person's address; decides which staff may see them.
    org_unit = models.ForeignKey(
        "organizing.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when staff merge this record into another: it stays (so the merge can be undone)
    # but lists, counts and intake use the survivor.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_people"
    )
    # Set when the person asked to be erased: the record stays, emptied, so that the audit log
    # and their suppressions still point at something; lists leave it out.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="person_name_idx"),
            # Case-insensitive last-name search by range, on a state-size file.
            models.Index(Lower("last_name"), name="person_last_name_lower_idx"),
            # Find-or-create's candidates born on the same day.
            models.Index(fields=["birth_date"], name="person_birth_date_idx"),
            # Find-or-create and search match an email or a number whole, never by a pattern:
            # plain indexes (``db_index`` would add a LIKE twin of each).
            models.Index(fields=["email"], name="person_email_idx"),
            models.Index(fields=["phone"], name="person_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.erased_at is not None:
            return f"Erased person #{self.pk}"
        parts = [self.first_name, self.middle_name, self.last_name, self.suffix]
        return " ".join(p for p in parts if p)


class VoterRecord(FileLoadedModel):
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
    county_fips = models.CharField(max_length=5)
    party = models.CharField(max_length=3, choices=Party.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    registered_on = models.DateField(null=True, blank=True)
    # Ballots cast in the last three general elections (0-3): the turnout-propensity bucket
    # universes filter on, kept here so a count on a state's file needs no join.
    general_votes = models.PositiveSmallIntegerField(default=0)
    last_import = models.ForeignKey(
        "VoterImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when a newer file of the state no longer lists the voter; never deleted for it.
    missing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["state", "state_voter_id"], name="voter_unique_state_id"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "county_fips"], name="voter_state_county_idx"),
            models.Index(fields=["county_fips"], name="voter_county_idx"),
            models.Index(fields=["party", "general_votes"], name="voter_party_votes_idx"),
            # The universe builder's breakdown: its groups read in order from the index alone.
            models.Index(
                fields=["state", "party", "general_votes", "status", "person"],
                name="voter_breakdown_idx",
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

    # No index of its own: votehistory_unique (voter, election_date) starts with the voter.
    voter = models.ForeignKey(
        VoterRecord, on_delete=models.CASCADE, related_name="history", db_index=False
    )
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


class ExternalId(FileLoadedModel):
    """The crosswalk: a person's id in another system (a state file, NGP VAN, ActBlue, ...)."""

    class System(models.TextChoices):
        STATE_VOTER = "state_voter", "State voter file"
        NGPVAN = "ngpvan", "NGP VAN"
        ACTBLUE = "actblue", "ActBlue"
        MOBILIZE = "mobilize", "Mobilize"
        ACTION_NETWORK = "action_network", "Action Network"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="external_ids")
    system = models.CharField(max_length=20, choices=System.choices)
    external_id = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "external_id"], name="externalid_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.external_id}"


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="people")
    tagged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "tag"], name="persontag_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} #{self.tag_id}"


class VoterImport(TimestampedModel):
    """One run of a voter-file import: what was read, what it changed, where it stopped."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    layout = models.CharField(max_length=20)
    state = models.CharField(max_length=2)
    voters_file = models.CharField(max_length=255)
    history_file = models.CharField(max_length=255, blank=True)
    # SHA-256 of the files: importing the same files again is recognised and changes nothing.
    fingerprint = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rows_read = models.PositiveBigIntegerField(default=0)
    rows_new = models.PositiveBigIntegerField(default=0)
    rows_updated = models.PositiveBigIntegerField(default=0)
    rows_unchanged = models.PositiveBigIntegerField(default=0)
    rows_rejected = models.PositiveBigIntegerField(default=0)
    history_new = models.PositiveBigIntegerField(default=0)
    marked_missing = models.PositiveBigIntegerField(default=0)
    # The last row of the voters file known committed: a resumed run starts after it.
    checkpoint_row = models.PositiveBigIntegerField(default=0)
    # The same for the history file, read after the voters file: 0 until the voters file is
    # done (and the voters it no longer lists are marked missing), then the last line committed.
    history_checkpoint_row = models.PositiveBigIntegerField(default=0)
    # PostgreSQL reads the history file first, into a table of the run's own, so that each
    # voter's ballots and general-election count are written with the voter: the last line of
    # the history file in that table, and whether all of it is.
    history_staged_row = models.PositiveBigIntegerField(default=0)
    history_staged = models.BooleanField(default=False)
    # Set when that table was lost (a database restart empties it) after voters had taken
    # their ballots from it: the history is matched against every voter at the end instead.
    history_rescan = models.BooleanField(default=False)
    # The voters file was imported as a part of the state (``voters import --partial``): the
    # voters of the state it does not list were not marked missing.
    partial = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # A first load of a state on PostgreSQL drops the people tables' secondary indexes while
    # it writes and builds them again at the end: their definitions, kept here until then so
    # that a run that dies leaves what to rebuild.
    deferred_indexes = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.layout} import {self.pk} ({self.get_status_display()})"


class VoterImportRowError(models.Model):
    """A row an import could not load, with its number and why: shown and downloadable."""

    run = models.ForeignKey(VoterImport, on_delete=models.CASCADE, related_name="row_errors")
    file = models.CharField(max_length=10)  # "voters" or "history"
    row_number = models.PositiveBigIntegerField()
    field = models.CharField(max_length=60, blank=True)
    reason = models.CharField(max_length=300)
    raw = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "file", "row_number"]
        indexes = [models.Index(fields=["run", "row_number"], name="importerror_run_row_idx")]

    def __str__(self) -> str:
        return f"{self.file} row {self.row_number}: {self.reason}"


class VoterChange(models.Model):
    """What an import changed about a voter: a move, a status or party change, a return."""

    class Kind(models.TextChoices):
        MOVED = "moved", "Moved"
        STATUS = "status", "Status changed"
        PARTY = "party", "Party changed"
        NAME = "name", "Name changed"
        MISSING = "missing", "Missing from the file"
        RETURNED = "returned", "Back on the file"

    voter = models.ForeignKey(VoterRecord, on_delete=models.CASCADE, related_name="changes")
    run = models.ForeignKey(
        VoterImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.voter_id} {self.kind}"


class MatchReview(TimestampedModel):
    """Two records that may be one person, below the score at which they merge by themselves:
    staff decide, seeing the evidence."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MERGED = "merged", "Merged"
        DISTINCT = "distinct", "Not the same person"
        # Merged, and the merge was undone since: the two are separate records again.
        UNDONE = "undone", "Merge undone"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    # Per compared field: the two values and what the comparison said.
    evidence = models.JSONField(default=dict)
    source = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "candidate"], name="matchreview_unique"),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="matchreview_open_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.candidate_id} ({self.score:.2f})"


class PersonMerge(models.Model):
    """A merge of ``absorbed`` into ``survivor``, with what moved, so it can be undone."""

    survivor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    absorbed = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    # {"table.column": [ids of the rows moved from absorbed to survivor], "fields": {...}}
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.absorbed_id} into {self.survivor_id}"


class Universe(TimestampedModel):
    """A named audience: filters over people and voters, counted live and exported."""

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    filters = models.JSONField(default=dict)
    # The unit it was made for: staff of that unit, of the units above it and of those below
    # see it; empty for the whole campaign's universes, which every staff member sees.
    org_unit = models.ForeignKey(
        "organizing.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_count = models.PositiveBigIntegerField(null=True, blank=True)
    counted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class GeocodeRun(TimestampedModel):
    """One run of the batch geocoder over the households without coordinates: how far it got
    (the last household committed) and what it found."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    state = models.CharField(max_length=2, blank=True)  # empty: every state
    benchmark = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    households = models.PositiveBigIntegerField(default=0)  # to look up, counted at the start
    done = models.PositiveBigIntegerField(default=0)
    matched = models.PositiveBigIntegerField(default=0)
    unmatched = models.PositiveBigIntegerField(default=0)
    ties = models.PositiveBigIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(default=0)
    # The highest household id committed: the run goes on after it, so that a batch is
    # written once even when its request is sent again.
    checkpoint_household = models.PositiveBigIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"geocoding run {self.pk} ({self.get_status_display()})"


class GeocodeMiss(models.Model):
    """A household the geocoder did not place: no address matched, or several did (a tie)."""

    class Kind(models.TextChoices):
        NO_MATCH = "no_match", "No match"
        TIE = "tie", "Tie"

    run = models.ForeignKey(GeocodeRun, on_delete=models.CASCADE, related_name="misses")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    address = models.CharField(max_length=300)  # as sent

    class Meta:
        ordering = ["run", "household"]
        constraints = [
            models.UniqueConstraint(fields=["run", "household"], name="geocode_miss_once_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.address}"


class ErasedIdentity(models.Model):
    """A keyed hash of an identifier of a person erased on request (their email, phone, or an
    id in another system such as the state voter file), kept instead of the value: a record
    that turns up later with one of them is the same person again, and is not contacted."""

    key = models.CharField(max_length=64, primary_key=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
