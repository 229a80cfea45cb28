"""Who may approve content for an org unit, at a given moment.

Two ways to hold the authority, both by scope:
- standing: a campaign admin at the item's unit or above (the chair, a national admin);
- delegated: an ``ApprovalDelegation`` for the item's unit or a unit above it, of this kind of
  content, not yet expired nor revoked. A delegate can delegate on, within their own scope
  and never past their own expiry, so approval can move as close to the field as needed.

Nobody approves their own version: a second pair of eyes is the point of approval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from groundgame.content.models import ApprovalDelegation, ContentItem
from groundgame.organizing import selectors as organizing

ADMIN = "admin"


def active_delegations(now: dt.datetime) -> QuerySet[ApprovalDelegation]:
    return ApprovalDelegation.objects.filter(expires_at__gt=now, revoked_at__isnull=True)


def _delegations_covering(user_id: int, path: str, now: dt.datetime) -> list[ApprovalDelegation]:
    return list(
        active_delegations(now).filter(
            approver_id=user_id, org_unit__path__in=organizing.unit_path_ancestors(path)
        )
    )


@dataclass(frozen=True)
class Authority:
    """Why a user may approve for a path, and until when (None: for as long as their role)."""

    standing: bool
    until: dt.datetime | None


def authority(
    user: AbstractBaseUser | AnonymousUser | None, path: str, kind: str, now: dt.datetime
) -> Authority | None:
    if user is None or not user.is_authenticated:
        return None
    scope = organizing.staff_scope(user)
    if scope.is_superuser or any(path.startswith(p) for p in scope.admin_paths):
        return Authority(standing=True, until=None)
    delegations = [
        d for d in _delegations_covering(user.pk, path, now) if not d.kinds or kind in d.kinds
    ]
    if not delegations:
        return None
    return Authority(standing=False, until=max(d.expires_at for d in delegations))


def may_approve(
    user: AbstractBaseUser | AnonymousUser | None, item: ContentItem, now: dt.datetime
) -> bool:
    return authority(user, item.org_unit.path, item.kind, now) is not None


def approvers(path: str, kind: str, now: dt.datetime) -> list[str]:
    """Usernames of everyone who may approve content of this kind for the unit at ``path``
    now (shown in the queue)."""
    standing = {u.get_username() for u in organizing.staff_with_role_above(path, ADMIN)}
    delegated = {
        d.approver.get_username()
        for d in active_delegations(now)
        .filter(org_unit__path__in=organizing.unit_path_ancestors(path))
        .select_related("approver")
        if not d.kinds or kind in d.kinds
    }
    return sorted(standing | delegated)


def may_approve_path(
    user: AbstractBaseUser | AnonymousUser | None, path: str, now: dt.datetime
) -> bool:
    """May approve some kind of content for this path (to manage delegations under it)."""
    return any(authority(user, path, kind, now) is not None for kind in ContentItem.Kind.values)
