"""The money app's data.

The donations ledger comes first: committees and their elections, contributions (one row per
line item a payment processor reports, unique on its id), the refunds and chargebacks that
amend them, recurring plans, the excesses over the contribution limit, the best-efforts
requests for a missing employer or occupation, and the "volunteer now" asks sent after a gift.
The spending side follows: vendors, budget lines, commitments before money leaves,
disbursements and debts, the cash-flow settings and alerts, and the fundraising goals.
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


# --- Spending: budget, commitments before money leaves, disbursements, debts ---------------


class SpendCategory(models.TextChoices):
    """What money is spent on: the budget's lines and every commitment and disbursement."""

    MEDIA_TV = "media_tv", "Paid media: TV"
    MEDIA_RADIO = "media_radio", "Paid media: radio"
    MEDIA_DIGITAL = "media_digital", "Paid media: digital ads"
    MEDIA_PRINT = "media_print", "Paid media: print and outdoor"
    FIELD = "field", "Field"
    STAFF = "staff", "Staff"
    MAIL = "mail", "Mail"
    DIGITAL = "digital", "Digital"
    CONSULTANTS = "consultants", "Consultants"
    EVENTS = "events", "Events"
    OVERHEAD = "overhead", "Overhead"


class Vendor(TimestampedModel):
    """Whom money is paid or owed to, with the address FEC Schedules B and D report."""

    class EntityType(models.TextChoices):
        ORGANIZATION = "ORG", "Organization"
        INDIVIDUAL = "IND", "Individual"
        COMMITTEE = "COM", "Committee"

    name = models.CharField(max_length=200, unique=True)
    entity_type = models.CharField(
        max_length=3, choices=EntityType.choices, default=EntityType.ORGANIZATION
    )
    street_1 = models.CharField(max_length=34, blank=True)
    street_2 = models.CharField(max_length=34, blank=True)
    city = models.CharField(max_length=30, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip_code = models.CharField(max_length=9, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BudgetLine(TimestampedModel):
    """What the campaign means to spend on one category in one unit over one period."""

    category = models.CharField(max_length=20, choices=SpendCategory.choices)
    org_unit = models.ForeignKey(
        "organizing.OrgUnit", on_delete=models.PROTECT, related_name="budget_lines"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    amount_cents = models.BigIntegerField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["period_start", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "org_unit", "period_start"], name="budgetline_unique_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="budgetline_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.period_start}: {self.amount_cents}"


class Commitment(TimestampedModel):
    """Money promised before it leaves: a TV reservation, a consultant's contract or a
    vendor's invoice. What it will cost and when comes from its kind's schedule
    (``money.commitments``); a cancelled commitment still owes what its terms keep."""

    class Kind(models.TextChoices):
        TV_RESERVATION = "tv_reservation", "TV reservation"
        CONSULTANT = "consultant", "Consultant contract"
        INVOICE = "invoice", "Vendor invoice"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="commitments")
    category = models.CharField(max_length=20, choices=SpendCategory.choices)
    org_unit = models.ForeignKey(
        "organizing.OrgUnit", on_delete=models.PROTECT, related_name="commitments"
    )
    # TV: the flight; consultant: the contract's term; invoice: issued on and due on.
    starts_on = models.DateField()
    ends_on = models.DateField()
    # TV reservation: the amount of each week of the flight, and the terms: weeks starting
    # after the cancellation date are released, the others are owed (``owed_after``: the
    # last day to cancel a week without owing it, the stations' notice period).
    weekly_cents = models.BigIntegerField(default=0)
    cancellation_notice_days = models.PositiveIntegerField(default=0)
    cancellation_terms = models.CharField(max_length=300, blank=True)
    # Consultant: a monthly retainer, and a commission in basis points of the spend on
    # ``commission_category`` (paid media bought through them) paid monthly.
    retainer_cents = models.BigIntegerField(default=0)
    commission_basis_points = models.PositiveIntegerField(default=0)
    commission_category = models.CharField(max_length=20, choices=SpendCategory.choices, blank=True)
    # Invoice: its total, due on ``ends_on``.
    amount_cents = models.BigIntegerField(default=0)
    reference = models.CharField(max_length=60, blank=True)
    cancelled_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="commitment_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


class ConsultantFee(models.Model):
    """One payment of a consultant's fee schedule (a signing fee, a milestone)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="fees")
    due_on = models.DateField()
    amount_cents = models.BigIntegerField()
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.description or 'fee'} due {self.due_on}"


class Debt(TimestampedModel):
    """Money the committee owes (FEC Schedule D); paid down by disbursements naming it."""

    committee = models.ForeignKey(
        Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="debts"
    )
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="debts")
    purpose = models.CharField(max_length=100)
    incurred_on = models.DateField()
    amount_cents = models.BigIntegerField()
    commitment = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="debts"
    )

    class Meta:
        ordering = ["incurred_on", "pk"]

    def __str__(self) -> str:
        return f"{self.vendor} {self.purpose}"


class Disbursement(TimestampedModel):
    """Money that left (FEC Schedule B). ``transaction_id`` is the entry's own id, unique,
    so the same row imported twice lands once."""

    transaction_id = models.CharField(max_length=20, unique=True)
    # The committee that paid, whose FEC report lists it; None while the campaign has one.
    committee = models.ForeignKey(
        Committee, null=True, blank=True, on_delete=models.PROTECT, related_name="disbursements"
    )
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="disbursements")
    paid_on = models.DateField(db_index=True)
    amount_cents = models.BigIntegerField()
    category = models.CharField(max_length=20, choices=SpendCategory.choices)
    org_unit = models.ForeignKey(
        "organizing.OrgUnit", on_delete=models.PROTECT, related_name="disbursements"
    )
    purpose = models.CharField(max_length=100)
    # The FEC's disbursement category (001-012), empty when none applies.
    fec_category_code = models.CharField(max_length=3, blank=True)
    memo = models.BooleanField(default=False)
    commitment = models.ForeignKey(
        Commitment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disbursements",
    )
    debt = models.ForeignKey(
        Debt, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )

    class Meta:
        ordering = ["-paid_on", "-pk"]
        indexes = [
            models.Index(fields=["category", "paid_on"], name="disbursement_cat_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_id} {self.vendor_id} {self.amount_cents}"


class CashSettings(models.Model):
    """The treasurer's settings of the cash-flow forecast (one row): the floor cash should
    stay above, how far ahead a crossing raises an alert, election day, and who is told."""

    floor_cents = models.BigIntegerField(default=0)
    horizon_days = models.PositiveIntegerField(default=60)
    election_day = models.DateField(null=True, blank=True)
    treasurer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    campaign_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"floor {self.floor_cents}, horizon {self.horizon_days} days"


class CashAlert(models.Model):
    """Cash is likely to fall below a line (zero or the floor) inside the horizon. One row
    per cause while it lasts: the forecast opens it once, keeps ``crossing_on`` current and
    closes it when the crossing leaves the horizon; only opening one sends the email."""

    class Line(models.TextChoices):
        ZERO = "zero", "Zero"
        FLOOR = "floor", "Floor"

    line = models.CharField(max_length=5, choices=Line.choices)
    threshold_cents = models.BigIntegerField()
    crossing_on = models.DateField()
    probability = models.FloatField()
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the treasurer and the campaign manager were emailed, so a retried job does not
    # email them twice.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["line", "threshold_cents"],
                condition=models.Q(closed_at__isnull=True),
                name="cashalert_one_open_per_cause",
            ),
        ]

    def __str__(self) -> str:
        return f"below {self.line} on {self.crossing_on}"


class FundraisingGoal(TimestampedModel):
    """Raise ``target_cents`` between ``starts_on`` and ``deadline`` (end of quarter, an FEC
    deadline)."""

    name = models.CharField(max_length=120, unique=True)
    starts_on = models.DateField()
    deadline = models.DateField()
    target_cents = models.BigIntegerField()

    class Meta:
        ordering = ["deadline"]

    def __str__(self) -> str:
        return self.name


# --- FEC reports and appeals -----------------------------------------------------------------


class FecFiler(TimestampedModel):
    """What a committee's FEC reports say about who files: its address and treasurer, and for
    a House or Senate committee the state and district of its race."""

    committee = models.OneToOneField(Committee, on_delete=models.CASCADE, related_name="filer")
    street_1 = models.CharField(max_length=34)
    city = models.CharField(max_length=30)
    state = models.CharField(max_length=2)
    zip_code = models.CharField(max_length=9)
    treasurer_first_name = models.CharField(max_length=20)
    treasurer_last_name = models.CharField(max_length=30)
    election_state = models.CharField(max_length=2, blank=True)
    # Two digits; "00" for a state's at-large seat or a Senate race.
    election_district = models.CharField(max_length=2, blank=True)

    def __str__(self) -> str:
        return f"filer of {self.committee_id}"


class SendCost(TimestampedModel):
    """What one message costs on a channel through a provider, per thousand messages (a
    message costs a fraction of a cent, so the price is kept per thousand, in whole cents)."""

    channel = models.CharField(max_length=8, choices=[("email", "Email"), ("sms", "Text")])
    provider = models.CharField(max_length=60)
    cents_per_thousand = models.BigIntegerField()

    class Meta:
        ordering = ["channel", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "provider"], name="sendcost_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} via {self.provider}: {self.cents_per_thousand}/1000"


class Appeal(TimestampedModel):
    """A fundraising ask: a mailing, an ad buy or an event, whose gifts carry its refcode."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        ADS = "ads", "Ads"
        EVENT = "event", "Event"

    name = models.CharField(max_length=200)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The tag the appeal's donation links carry (ActBlue's refcode): its gifts are those.
    refcode = models.CharField(max_length=100, unique=True)
    mailing = models.ForeignKey(
        "messaging.Mailing", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The provider that sends the mailing, whose price per message is its send cost.
    provider = models.CharField(max_length=60, blank=True)
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    org_unit = models.ForeignKey("organizing.OrgUnit", on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    # Null while it runs.
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]

    def __str__(self) -> str:
        return self.name


class AppealCost(TimestampedModel):
    """A cost of an appeal besides its sends: ad spend, a rented list, an event's venue."""

    class Kind(models.TextChoices):
        AD_SPEND = "ad_spend", "Ad spend"
        LIST_RENTAL = "list_rental", "List rental"
        PRODUCTION = "production", "Production"
        OTHER = "other", "Other"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="costs")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount_cents = models.BigIntegerField()
    incurred_on = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["incurred_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_cents}"


class AppealReturn(models.Model):
    """An appeal's return as last computed (``money.appeal_returns``): the page reads these
    rows, so it answers at once however large the ledger; a refresh rewrites them."""

    appeal = models.OneToOneField(Appeal, on_delete=models.CASCADE, related_name="result")
    raised_cents = models.BigIntegerField()
    donors = models.PositiveIntegerField()
    gifts = models.PositiveIntegerField()
    cost_cents = models.BigIntegerField()
    messages = models.PositiveIntegerField()
    unsubscribes = models.PositiveIntegerField()
    # The expected future giving of the people the appeal's unsubscribes cut off.
    churn_cents = models.BigIntegerField()
    # Net (raised - cost - churn) at the 5th, 50th and 95th percentile of the resampled
    # futures, and the share of them in which it is below zero.
    net_low_cents = models.BigIntegerField()
    net_mid_cents = models.BigIntegerField()
    net_high_cents = models.BigIntegerField()
    roi_low = models.FloatField(null=True)
    roi_mid = models.FloatField(null=True)
    roi_high = models.FloatField(null=True)
    loss_probability = models.FloatField()
    flagged = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"return of appeal {self.appeal_id}"
