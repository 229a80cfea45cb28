"""Reads of the content library for other apps and pages: the current approved version a
volunteer may see, the library, the approval queue and the delegations in force."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Min, Q, QuerySet

from groundgame.content import approvals
from groundgame.content.models import ApprovalDelegation, ContentItem, ContentVersion
from groundgame.content.questions import DEFAULT_ISSUES as DEFAULT_ISSUES
from groundgame.content.questions import ISSUES_KEY as ISSUES_KEY
from groundgame.content.questions import Answer as Answer
from groundgame.content.questions import AnswerProblem as AnswerProblem
from groundgame.content.questions import Question as Question
from groundgame.content.questions import answers_check as answers_check
from groundgame.content.questions import questions_clean
from groundgame.organizing import selectors as organizing
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
    above = {a for path in scope.person_paths for a in organizing.unit_path_ancestors(path)}
    visible = Q(org_unit__path__in=above)
    for path in scope.person_paths:
        visible |= Q(org_unit__path__startswith=path)
    return items.filter(visible)


def content_item_visible(*, scope: StaffScope, item_id: int) -> ContentItem | None:
    """One item of the library, if this staff member's library holds it."""
    return content_item_list(scope=scope).filter(pk=item_id).first()


@dataclass(frozen=True)
class LibraryRow:
    item: ContentItem
    current: ContentVersion | None  # what volunteers see
    latest: ContentVersion | None


def content_library(*, scope: StaffScope, kind: str = "") -> list[LibraryRow]:
    """The library with each item's current approved and latest version, in two queries."""
    items = list(content_item_list(scope=scope, kind=kind))
    current: dict[int, ContentVersion] = {}
    latest: dict[int, ContentVersion] = {}
    versions = ContentVersion.objects.filter(item__in=items).order_by("item_id", "-number")
    for version in versions:
        latest.setdefault(version.item_id, version)
        if version.status == ContentVersion.Status.APPROVED:
            current.setdefault(version.item_id, version)
    return [LibraryRow(item, current.get(item.pk), latest.get(item.pk)) for item in items]


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

    # Requests of one unit and kind share their approvers: each pair is asked once.
    @functools.cache
    def approvers_of(path: str, kind: str) -> list[str]:
        return approvals.approvers(path, kind, now)

    @functools.cache
    def viewer_may(path: str, kind: str) -> bool:
        return approvals.authority(user, path, kind, now) is not None

    entries = []
    for v in pending:
        path, kind = v.item.org_unit.path, v.item.kind
        entries.append(
            QueueEntry(
                version=v,
                waited=now - (v.submitted_at or now),
                overdue=v.due_at is not None and v.due_at < now,
                approvers=approvers_of(path, kind),
                mine=viewer_may(path, kind) and v.author_id != getattr(user, "pk", None),
            )
        )
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


def version_questions(version_ids: Iterable[int]) -> dict[int, list[Question]]:
    """The survey questions of each of these versions, in the order the script asks them."""
    rows = ContentVersion.objects.filter(pk__in=list(version_ids)).values_list("pk", "questions")
    return {pk: questions_clean(questions) for pk, questions in rows}


def script_choices() -> list[tuple[int, str]]:
    """Every canvass script of the library (id, title), by title: reporting counts their
    answers, which are aggregates every staff member may read."""
    return list(
        ContentItem.objects.filter(kind=ContentItem.Kind.SCRIPT)
        .order_by("title", "pk")
        .values_list("pk", "title")
    )


@dataclass(frozen=True)
class ShownVersion:
    pk: int
    number: int
    questions: list[Question]


def script_versions_shown(item_id: int) -> list[ShownVersion]:
    """The versions of a script canvassers may have been shown (approved once), newest
    first, with their questions."""
    rows = (
        ContentVersion.objects.filter(
            item_id=item_id,
            status__in=(ContentVersion.Status.APPROVED, ContentVersion.Status.SUPERSEDED),
        )
        .order_by("-number")
        .values_list("pk", "number", "questions")
    )
    return [ShownVersion(pk, number, questions_clean(questions)) for pk, number, questions in rows]


@dataclass(frozen=True)
class ItemInUse:
    """A script, literature or talking point staff and canvassers have been handed: since its
    first approval, for the unit it belongs to."""

    item_id: int
    title: str
    kind: str
    unit_path: str
    since: dt.datetime


def content_items_in_use() -> list[ItemInUse]:
    rows = (
        ContentItem.objects.filter(versions__decided_at__isnull=False)
        .filter(
            versions__status__in=(ContentVersion.Status.APPROVED, ContentVersion.Status.SUPERSEDED)
        )
        .values_list("pk", "title", "kind", "org_unit__path")
        .annotate(since=Min("versions__decided_at"))
        .order_by("pk")
    )
    return [ItemInUse(pk, title, kind, path, since) for pk, title, kind, path, since in rows]
