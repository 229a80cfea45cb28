"""Every write of the content library: items and their versions, submitting for approval,
deciding, and delegating the authority to decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.utils import timezone

from groundgame.audit.services import Actor, audit_create, audit_update, snapshot
from groundgame.content import approvals, errors
from groundgame.content.models import ApprovalDelegation, ContentItem, ContentVersion
from groundgame.content.questions import DEFAULT_ISSUES, questions_clean
from groundgame.core.errors import NotFound, PermissionDenied, ValidationFailed
from groundgame.organizing import selectors as organizing

MAX_BODY = 20_000


def approval_window() -> dt.timedelta:
    """How long a request waits for its approvers before it is overdue and shows, flagged,
    to the approvers one level up."""
    return dt.timedelta(hours=settings.GROUNDGAME_APPROVAL_HOURS)


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _check_scope(actor: Actor, path: str) -> None:
    # A manager's units are among those they see (admins and directors see personal data).
    if not organizing.staff_scope(actor).covers(path):
        raise PermissionDenied(
            "That unit is outside your units.", code=errors.NOT_IN_SCOPE, field="org_unit"
        )


def _clean_body(body: str) -> str:
    text = body.strip()
    if not text:
        raise ValidationFailed("Write the text.", field="body")
    if len(text) > MAX_BODY:
        raise ValidationFailed(f"At most {MAX_BODY:,} characters.", field="body")
    return text


def _clean_questions(questions: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [q.as_dict() for q in questions_clean(questions)]


def content_item_create(
    *,
    actor: Actor,
    kind: str,
    title: str,
    org_unit_id: int,
    body: str,
    questions: list[dict[str, Any]] | None = None,
) -> ContentItem:
    """A new script, piece of literature or set of talking points, with its first draft.
    A script asks the campaign's issues question unless given its own questions."""
    if kind not in ContentItem.Kind.values:
        raise ValidationFailed(f"Unknown kind {kind!r}.", field="kind")
    if kind != ContentItem.Kind.SCRIPT and questions:
        raise ValidationFailed("Only scripts ask questions.", field="questions")
    if kind == ContentItem.Kind.SCRIPT and questions is None:
        questions = [DEFAULT_ISSUES.as_dict()]
    if not title.strip():
        raise ValidationFailed("Give it a title.", field="title")
    unit = organizing.org_unit_get(org_unit_id)
    if unit is None:
        raise ValidationFailed("No such unit.", field="org_unit")
    _check_scope(actor, unit.path)
    text = _clean_body(body)
    with transaction.atomic():
        item = ContentItem.objects.create(
            kind=kind, title=title.strip()[:200], org_unit=unit, created_by=_user(actor)
        )
        ContentVersion.objects.create(
            item=item,
            number=1,
            body=text,
            questions=_clean_questions(questions),
            author=_user(actor),
        )
        audit_create(actor=actor, action="content.item_create", instance=item)
    return item


def _version_for_update(version_id: int) -> ContentVersion:
    version = (
        ContentVersion.objects.select_for_update(of=("self",))
        .select_related("item", "item__org_unit")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise NotFound("No such version.", code=errors.VERSION_NOT_FOUND)
    return version


def content_version_draft(
    *, actor: Actor, item_id: int, body: str, questions: list[dict[str, Any]] | None = None
) -> ContentVersion:
    """Edit the item's open draft, or start a new one after its last version. Without
    ``questions`` the draft keeps its questions, and a new one starts from its last
    version's."""
    text = _clean_body(body)
    cleaned = _clean_questions(questions) if questions is not None else None
    with transaction.atomic():
        item = (
            ContentItem.objects.select_for_update()
            .select_related("org_unit")
            .filter(pk=item_id)
            .first()
        )
        if item is None:
            raise NotFound("No such item.", code=errors.ITEM_NOT_FOUND)
        _check_scope(actor, item.org_unit.path)
        draft = item.versions.filter(status=ContentVersion.Status.DRAFT).first()
        if draft is not None:
            before = snapshot(draft)
            draft.body = text
            if cleaned is not None:
                draft.questions = cleaned
            draft.save(update_fields=["body", "questions"])
            audit_update(actor=actor, action="content.version_edit", instance=draft, before=before)
            return draft
        last = item.versions.order_by("-number").first()
        version = ContentVersion.objects.create(
            item=item,
            number=(last.number if last else 0) + 1,
            body=text,
            questions=cleaned if cleaned is not None else (last.questions if last else []),
            author=_user(actor),
        )
        audit_create(actor=actor, action="content.version_draft", instance=version)
    return version


def _edit_questions(
    *,
    actor: Actor,
    version_id: int,
    action: str,
    change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
) -> ContentVersion:
    """Change a draft's questions: they are frozen once it is submitted for approval, since
    the approver approves them with the text."""
    with transaction.atomic():
        version = _version_for_update(version_id)
        _check_scope(actor, version.item.org_unit.path)
        if version.item.kind != ContentItem.Kind.SCRIPT:
            raise ValidationFailed("Only scripts ask questions.", field="questions")
        if version.status != ContentVersion.Status.DRAFT:
            raise ValidationFailed(
                f"This version is {version.get_status_display().lower()}: its questions are "
                "fixed. Start a new version to change them.",
                code=errors.WRONG_STATUS,
            )
        before = snapshot(version, ["questions"])
        version.questions = _clean_questions(change(list(version.questions)))
        version.save(update_fields=["questions"])
        audit_update(actor=actor, action=action, instance=version, before=before)
    return version


def _position(questions: list[dict[str, Any]], key: str) -> int:
    for position, question in enumerate(questions):
        if question.get("key") == key:
            return position
    raise NotFound(f"The draft has no question {key!r}.", code=errors.QUESTION_NOT_FOUND)


def content_question_save(
    *, actor: Actor, version_id: int, question: dict[str, Any], replacing: str = ""
) -> ContentVersion:
    """Add a question at the end of a draft's, or put it in the place of the one whose key
    is ``replacing``."""

    def change(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if replacing:
            questions[_position(questions, replacing)] = question
        else:
            questions.append(question)
        return questions

    return _edit_questions(
        actor=actor, version_id=version_id, action="content.question_save", change=change
    )


def content_question_move(
    *, actor: Actor, version_id: int, key: str, offset: int
) -> ContentVersion:
    """Move a question up (``offset`` -1) or down (+1) among the draft's."""

    def change(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        position = _position(questions, key)
        target = min(max(position + offset, 0), len(questions) - 1)
        questions.insert(target, questions.pop(position))
        return questions

    return _edit_questions(
        actor=actor, version_id=version_id, action="content.question_move", change=change
    )


def content_question_remove(*, actor: Actor, version_id: int, key: str) -> ContentVersion:
    def change(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        del questions[_position(questions, key)]
        return questions

    return _edit_questions(
        actor=actor, version_id=version_id, action="content.question_remove", change=change
    )


def content_version_submit(
    *, actor: Actor, version_id: int, now: dt.datetime | None = None
) -> ContentVersion:
    """Ask for approval: the version joins the queue with its due time."""
    now = now or timezone.now()
    with transaction.atomic():
        version = _version_for_update(version_id)
        _check_scope(actor, version.item.org_unit.path)
        if version.status not in (ContentVersion.Status.DRAFT, ContentVersion.Status.REJECTED):
            raise ValidationFailed(
                f"This version is {version.get_status_display().lower()}.",
                code=errors.WRONG_STATUS,
            )
        before = snapshot(version)
        version.status = ContentVersion.Status.PENDING
        version.submitted_at = now
        version.due_at = now + approval_window()
        version.decided_at = None
        version.decided_by = None
        version.save()
        audit_update(actor=actor, action="content.version_submit", instance=version, before=before)
    return version


def content_version_decide(
    *, actor: Actor, version_id: int, approve: bool, note: str = "", now: dt.datetime | None = None
) -> ContentVersion:
    """Approve (the version becomes the one volunteers see; the previous approved one is
    superseded) or send back with a note saying what to change."""
    now = now or timezone.now()
    with transaction.atomic():
        version = _version_for_update(version_id)
        if version.status != ContentVersion.Status.PENDING:
            raise ValidationFailed(
                f"This version is {version.get_status_display().lower()}, not waiting.",
                code=errors.WRONG_STATUS,
            )
        if not approvals.may_approve(actor, version.item, now):
            raise PermissionDenied(
                "You may not approve content for this unit (no admin role above it and no "
                "current delegation).",
                code=errors.NOT_AN_APPROVER,
            )
        user = _user(actor)
        if user is not None and version.author_id == user.pk:
            raise PermissionDenied(
                "Someone else must approve your own version.", code=errors.OWN_VERSION
            )
        if not approve and not note.strip():
            raise ValidationFailed("Say what to change.", field="note")
        before = snapshot(version)
        if approve:
            ContentVersion.objects.filter(
                item=version.item, status=ContentVersion.Status.APPROVED
            ).update(status=ContentVersion.Status.SUPERSEDED)
        version.status = (
            ContentVersion.Status.APPROVED if approve else ContentVersion.Status.REJECTED
        )
        version.decided_at = now
        version.decided_by = user
        version.decision_note = note.strip()[:500]
        version.save()
        audit_update(
            actor=actor,
            action="content.version_approve" if approve else "content.version_reject",
            instance=version,
            before=before,
        )
    return version


def approval_delegate(
    *,
    actor: Actor,
    org_unit_id: int,
    approver: AbstractBaseUser,
    expires_at: dt.datetime,
    kinds: list[str] | None = None,
    now: dt.datetime | None = None,
) -> ApprovalDelegation:
    """Let ``approver`` approve content for a unit (and below) until ``expires_at``.

    Only someone who may approve for that unit may delegate it, and never for longer than
    their own authority lasts nor beyond the longest delegation the campaign allows.
    """
    now = now or timezone.now()
    unit = organizing.org_unit_get(org_unit_id)
    if unit is None:
        raise ValidationFailed("No such unit.", field="org_unit")
    wanted = list(dict.fromkeys(kinds or []))
    unknown = [k for k in wanted if k not in ContentItem.Kind.values]
    if unknown:
        raise ValidationFailed(f"Unknown kind {unknown[0]!r}.", field="kinds")
    longest = dt.timedelta(days=settings.GROUNDGAME_DELEGATION_MAX_DAYS)
    if expires_at <= now:
        raise ValidationFailed(
            "The end must be in the future.", code=errors.DELEGATION_INVALID, field="expires_at"
        )
    if expires_at > now + longest:
        raise ValidationFailed(
            f"At most {longest.days} days; renew it when it ends.",
            code=errors.DELEGATION_INVALID,
            field="expires_at",
        )
    held = [
        approvals.authority(actor, unit.path, k, now) for k in (wanted or ContentItem.Kind.values)
    ]
    if actor is not None and any(h is None for h in held):
        raise PermissionDenied(
            "You may only delegate approval you hold yourself.", code=errors.NOT_AN_APPROVER
        )
    ends = [h.until for h in held if h is not None and h.until is not None]
    if ends and expires_at > min(ends):
        raise ValidationFailed(
            f"Your own approval for this unit ends {min(ends):%Y-%m-%d %H:%M}; a delegation "
            "cannot outlast it.",
            code=errors.DELEGATION_INVALID,
            field="expires_at",
        )
    if not approver.is_active or not organizing.staff_scope(approver).is_staff:
        raise ValidationFailed(
            "The approver needs a staff account with a role.",
            code=errors.DELEGATION_INVALID,
            field="approver",
        )
    with transaction.atomic():
        delegation = ApprovalDelegation.objects.create(
            org_unit=unit,
            approver_id=approver.pk,
            granted_by=_user(actor),
            kinds=wanted,
            expires_at=expires_at,
        )
        audit_create(actor=actor, action="content.approval_delegate", instance=delegation)
    return delegation


def approval_delegation_revoke(
    *, actor: Actor, delegation_id: int, now: dt.datetime | None = None
) -> ApprovalDelegation:
    now = now or timezone.now()
    with transaction.atomic():
        delegation = (
            ApprovalDelegation.objects.select_for_update(of=("self",))
            .select_related("org_unit")
            .filter(pk=delegation_id)
            .first()
        )
        if delegation is None:
            raise NotFound("No such delegation.", code=errors.DELEGATION_INVALID)
        user = _user(actor)
        granted_it = user is not None and delegation.granted_by_id == user.pk
        if (
            actor is not None
            and not granted_it
            and not approvals.may_approve_path(actor, delegation.org_unit.path, now)
        ):
            raise PermissionDenied(
                "Only who granted it, or an approver above it, may revoke it.",
                code=errors.NOT_AN_APPROVER,
            )
        before = snapshot(delegation)
        delegation.revoked_at = now
        delegation.save(update_fields=["revoked_at", "updated_at"])
        audit_update(
            actor=actor, action="content.approval_revoke", instance=delegation, before=before
        )
    return delegation
