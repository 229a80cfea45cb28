"""The money app's data.

The donations ledger comes first: committees and their elections, contributions (one row per
line item a payment processor reports, unique on its id), the refunds and chargebacks that
amend them, recurring plans, the excesses over the contribution limit, the best-efforts
requests for a missing employer or occupation, and the "volunteer now" asks sent after a gift.
Amounts are integer cents (``core.money``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from groundgame.core.models import TimestampedModel

# --- The donations ledger --------------------------------------------------------------------


class Committee(TimestampedModel):
    """A committee that receives contributions and files with the FEC."""

    class Kind(models.TextChoices):
        PRESIDENTIAL = "presidential", "Presidential"
        HOUSE = "house", "House"
        SENATE = "senate", "Senate"
        PAC = "pac", "PAC"

    name = models.CharField(max_length=200)
    # The FEC's committee id, e.g. C00703975.
    fec_id = models.CharField(max_length=9, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # ActBlue's id of this committee as a recipient (a line item's entityId), so that a
    # webhook's line items find their committee.
    actblue_entity_id = models.BigIntegerField(null=True, blank=True, unique=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.fec_id})"


class Election(models.Model):
    """One election of a cycle; contribution limits apply per donor per election."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", "Primary"
        GENERAL = "general", "General"

    cycle = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    day = models.DateField()

    class Meta:
        ordering = ["cycle", "day"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "kind"], name="money_election_unique"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """The FEC's election code: P2024, G2024."""
        return f"{self.kind[0].upper()}{self.cycle}"


class RecurringPlan(TimestampedModel):
    """A donor's promise to give every week or month; its gifts are installments."""

    class Period(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"

    # The order number of the first gift, which every installment repeats.
    order_number = models.CharField(max_length=40, unique=True)
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="plans")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=8, choices=Period.choices)
    amount_cents = models.BigIntegerField()
    # Installments promised; null while it runs until cancelled.
    duration = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.period} plan {self.order_number}"


class Contribution(models.Model):
    """One gift to one committee: a processor's line item, counted once however often it
    arrives (webhook, retried webhook, CSV export)."""

    class Source(models.TextChoices):
        WEBHOOK = "webhook", "Webhook"
        CSV = "csv", "CSV import"
        MANUAL = "manual", "Entered by staff"

    # The processor's line item id (ActBlue's lineitemId); one row per line item, ever.
    line_item_id = models.CharField(max_length=40, unique=True)
    order_number = models.CharField(max_length=40, db_index=True)
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="contributions")
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    amount_cents = models.BigIntegerField()
    paid_at = models.DateTimeField()
    refcode = models.CharField(max_length=100, blank=True)
    refcode2 = models.CharField(max_length=100, blank=True)
    form_name = models.CharField(max_length=100, blank=True)
    recurring_plan = models.ForeignKey(
        RecurringPlan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="installments",
    )
    # 1 for the first gift of a plan, 2 for the next, ...
    installment = models.PositiveIntegerField(null=True, blank=True)
    # The contributor as the gift reported them: the FEC's Schedule A itemizes these, which
    # the campaign must keep as received even when the person's record changes later.
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    employer = models.CharField(max_length=100, blank=True)
    occupation = models.CharField(max_length=100, blank=True)
    # Given through a conduit (ActBlue): the FEC report shows the conduit's memo entry.
    earmarked = models.BooleanField(default=True)
    source = models.CharField(max_length=8, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["committee", "paid_at"], name="money_contrib_committee_paid"),
            models.Index(fields=["person", "election"], name="money_contrib_person_election"),
            models.Index(fields=["refcode"], name="money_contrib_refcode"),
            models.Index(fields=["paid_at"], name="money_contrib_paid"),
        ]

    def __str__(self) -> str:
        return f"line item {self.line_item_id}"


class Adjustment(models.Model):
    """Money taken back from a contribution: a refund, or a chargeback by the card's bank.
    Unique on its external id, so a refund reported twice is taken back once."""

    class Kind(models.TextChoices):
        REFUND = "refund", "Refund"
        CHARGEBACK = "chargeback", "Chargeback"

    contribution = models.ForeignKey(
        Contribution, on_delete=models.PROTECT, related_name="adjustments"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    external_id = models.CharField(max_length=60, unique=True)
    amount_cents = models.BigIntegerField()
    at = models.DateTimeField()
    source = models.CharField(max_length=8, choices=Contribution.Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["at"], name="money_adjustment_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id}"


class LimitExcess(TimestampedModel):
    """A donor whose net giving to a committee for one election passed the limit: flagged
    when the gift that passed it was entered, until staff have it refunded or redesignated.
    A flag nobody acted on goes when refunds bring the donor back under the limit."""

    class Status(models.TextChoices):
        OPEN = "open", "To resolve"
        REFUND = "refund", "Refund requested"
        REDESIGNATED = "redesignated", "Redesignated"

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+")
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    limit_cents = models.BigIntegerField()
    total_cents = models.BigIntegerField()
    excess_cents = models.BigIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "election", "person"], name="money_excess_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"excess of {self.excess_cents} cents"


class BestEffortsRequest(TimestampedModel):
    """The request for employer and occupation the FEC expects when a donor's giving in a
    cycle passes $200 without them (the "best efforts" rule, 11 CFR 104.7)."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    cycle = models.PositiveSmallIntegerField()
    # The message queued through messaging; empty when the donor may not be written to.
    queued = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "person", "cycle"], name="money_best_efforts_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"best-efforts request to person {self.person_id}"


class VolunteerAsk(TimestampedModel):
    """The "volunteer now" ask sent after a donor's first gift, when they were no volunteer:
    one per person, linking the gift it followed so that their sign-up records it."""

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="+")
    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="+")
    queued = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"volunteer ask to person {self.person_id}"


# --- End of the donations ledger --------------------------------------------------------------
