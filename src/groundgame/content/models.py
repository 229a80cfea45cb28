"""A library of scripts, literature and talking points, each with numbered versions; a
version is used only once approved, and approval is delegated by scope with a time limit."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from groundgame.core.models import TimestampedModel


class ContentItem(TimestampedModel):
    class Kind(models.TextChoices):
        SCRIPT = "script", "Canvass script"
        LITERATURE = "literature", "Literature"
        TALKING_POINTS = "talking_points", "Talking points"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    # Whose it is: approvers for this unit (or above) decide its versions.
    org_unit = models.ForeignKey("organizing.OrgUnit", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.title


class ContentVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Sent back"
        SUPERSEDED = "superseded", "Replaced by a newer version"

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    # For scripts: the survey questions asked at the door (support 1-5, top issues, ...).
    questions = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # When the request passes to the approvers one level up if nobody decided.
    due_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="content_version_number")
        ]
        indexes = [models.Index(fields=["status", "due_at"], name="content_queue_idx")]
        ordering = ["item", "-number"]

    def __str__(self) -> str:
        return f"{self.item_id} v{self.number}"


class ApprovalDelegation(TimestampedModel):
    """Someone may approve content for a unit (and below) until a time: a state director
    approving for the state so that nothing waits on the chair."""

    org_unit = models.ForeignKey("organizing.OrgUnit", on_delete=models.CASCADE, related_name="+")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kinds = models.JSONField(default=list, blank=True)  # empty: every kind
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        until = f"{self.expires_at:%Y-%m-%d}"
        return f"{self.approver_id} approves for {self.org_unit_id} until {until}"
