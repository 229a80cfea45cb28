"""Reads of the content library for other apps and pages: the current approved version a
volunteer may see, the library, the approval queue and the delegations in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from groundgame.content import approvals
from groundgame.content.models import ApprovalDelegation, ContentItem, ContentVersion
from groundgame.organizing.selectors import StaffScope


def current_approved_version(item_id: int) -> ContentVersion | None:
    """The newest approved version of an item: the only one volunteers ever see."""
    return (
        ContentVersion.objects.filter(item_id=item_id, status=ContentVersion.Status.APPROVED)
        .order_by("-number")
        .first()
    )


def content_item_get(item_id: int) -> ContentItem | None:
    return ContentItem.objects.select_related("org_unit").filter(pk=item_id).first()


def content_item_list(*, scope: StaffScope, kind: str = "") -> QuerySet[ContentItem]:
    """The library as this staff member sees it: items of their units and the units above
    them (a national script is theirs to use too)."""
    items = ContentItem.objects.select_related("org_unit").order_by("kind", "title")
    if kind:
        items = items.filter(kind=kind)
    if scope.everywhere:
        return items
    mine = (*scope.person_paths, *scope.manage_paths)
    visible: set[str] = set()
    for path in mine:
        visible.update(approvals.ancestors(path))
    ids = [
        item.pk
        for item in items
        if item.org_unit.path in visible or any(item.org_unit.path.startswith(p) for p in mine)
    ]
    return items.filter(pk__in=ids)


def content_versions(item_id: int) -> list[ContentVersion]:
    return list(
        ContentVersion.objects.filter(item_id=item_id)
        .select_related("author", "decided_by")
        .order_by("-number")
    )


@dataclass(frozen=True)
class QueueEntry:
    version: ContentVersion
    waited: dt.timedelta
    overdue: bool
    approvers: list[str]
    mine: bool  # the viewer may decide it


def approval_queue(user: AbstractBaseUser | AnonymousUser, *, now: dt.datetime) -> list[QueueEntry]:
    """Every version waiting for approval, overdue first then oldest first, each with how long
    it has waited, who may decide it and whether the viewer may."""
    pending = (
        ContentVersion.objects.filter(status=ContentVersion.Status.PENDING)
        .select_related("item", "item__org_unit", "author")
        .order_by("submitted_at")
    )
    entries = [
        QueueEntry(
            version=v,
            waited=now - (v.submitted_at or now),
            overdue=v.due_at is not None and v.due_at < now,
            approvers=approvals.approvers(v.item, now),
            mine=approvals.may_approve(user, v.item, now)
            and v.author_id != getattr(user, "pk", None),
        )
        for v in pending
    ]
    return sorted(entries, key=lambda e: (not e.overdue, -e.waited.total_seconds()))


def delegation_list(*, now: dt.datetime) -> QuerySet[ApprovalDelegation]:
    """Delegations in force, soonest to end first."""
    return (
        approvals.active_delegations(now)
        .select_related("org_unit", "approver", "granted_by")
        .order_by("expires_at")
    )


def may_approve_path(
    user: AbstractBaseUser | AnonymousUser, path: str, *, now: dt.datetime
) -> bool:
    return approvals.may_approve_path(user, path, now)


def current_approved_versions(*, kind: str, org_unit_ids: list[int]) -> list[ContentVersion]:
    """The current approved version of each item of ``kind`` owned by these units (a
    canvasser's literature: their team's and every unit above it), by title."""
    newest: dict[int, ContentVersion] = {}
    versions = (
        ContentVersion.objects.filter(
            item__kind=kind,
            item__org_unit_id__in=org_unit_ids,
            status=ContentVersion.Status.APPROVED,
        )
        .select_related("item")
        .order_by("item_id", "-number")
    )
    for version in versions:
        newest.setdefault(version.item_id, version)
    return sorted(newest.values(), key=lambda v: v.item.title)
