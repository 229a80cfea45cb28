"""What the webhook received and acknowledged: one row per line item and kind (a gift, or its
refund or chargeback), stored before the 2xx and turned into the ledger's rows by a worker
(``intake``). The unique (line item, kind) makes a retried webhook store nothing new."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Receipt(models.Model):
    class Kind(models.TextChoices):
        GIFT = "gift", "Gift"
        REFUND = "refund", "Refund"
        CHARGEBACK = "chargeback", "Chargeback"

    line_item_id = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    endpoint = models.CharField(max_length=40)
    # The line item parsed and checked at the door: GiftSpec's fields, and the adjustment.
    payload = models.JSONField()
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    # Why the ledger refused it (shown to staff); the row stays, never lost.
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["line_item_id", "kind"], name="actblue_receipt_unique"),
        ]
        indexes = [
            models.Index(
                fields=["received_at"],
                name="actblue_receipt_pending",
                condition=models.Q(processed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"ActBlue {self.kind} {self.line_item_id}"


class ImportRun(models.Model):
    """One upload of the contributions export, imported by a worker while the page shows
    its progress; what it reports stays."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Refused"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filename = models.CharField(max_length=200)
    # The file as uploaded, until it is imported.
    content = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    landed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    # [[line, reason], ...]: the line of the file (the header is line 1).
    rejected = models.JSONField(default=list)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"ActBlue import {self.pk} of {self.filename}"
