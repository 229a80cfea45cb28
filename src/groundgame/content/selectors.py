"""Reads of the content library for other apps and pages: the current approved version a
volunteer may see, the approval queue, and approval latency."""

from __future__ import annotations

from groundgame.content.models import ContentItem, ContentVersion


def current_approved_version(item_id: int) -> ContentVersion | None:
    """The newest approved version of an item: the only one volunteers ever see."""
    return (
        ContentVersion.objects.filter(item_id=item_id, status=ContentVersion.Status.APPROVED)
        .order_by("-number")
        .first()
    )


def content_item_get(item_id: int) -> ContentItem | None:
    return ContentItem.objects.select_related("org_unit").filter(pk=item_id).first()
