"""Scripts are approved by scope, not by one person: an admin delegates approval for a state
to its director with a time limit; requests wait in a queue with their due time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from groundgame.content import metrics, selectors
from groundgame.content import services as content
from groundgame.core.errors import ApplicationError
from tests.conftest import Campaign

SCRIPT = "Hi, I'm a volunteer with the campaign. What issue matters most to you this year?"


def script_for(campaign: Campaign, author: Any) -> Any:
    item = content.content_item_create(
        actor=author,
        kind="script",
        title="Durham doors, October",
        org_unit_id=campaign.durham.pk,
        body=SCRIPT,
        questions=[{"key": "vote_plan", "kind": "text", "prompt": "How will you vote?"}],
    )
    return selectors.content_versions(item.pk)[0]


def test_delegated_director_approves_for_the_state_until_the_delegation_ends(
    campaign: Campaign, staff_users: dict[str, Any]
) -> None:
    now = timezone.now()
    version = script_for(campaign, staff_users["organizer"])
    content.content_version_submit(actor=staff_users["organizer"], version_id=version.pk, now=now)

    # Without a delegation only the chair may decide: the 2024 bottleneck.
    with pytest.raises(ApplicationError) as refused:
        content.content_version_decide(
            actor=staff_users["nc_director"], version_id=version.pk, approve=True, now=now
        )
    assert refused.value.code == "not_an_approver"
    queue = selectors.approval_queue(staff_users["chair"], now=now)
    assert [(e.version.pk, e.approvers, e.mine) for e in queue] == [(version.pk, ["chair"], True)]

    content.approval_delegate(
        actor=staff_users["chair"],
        org_unit_id=campaign.nc.pk,
        approver=staff_users["nc_director"],
        expires_at=now + dt.timedelta(days=30),
        now=now,
    )
    queue = selectors.approval_queue(staff_users["nc_director"], now=now + dt.timedelta(hours=2))
    assert [(e.approvers, e.mine, e.overdue) for e in queue] == [
        (["chair", "nc_director"], True, False)
    ]
    assert queue[0].waited == dt.timedelta(hours=2)
    # The delegation covers North Carolina, not a director of another region of it.
    assert not selectors.approval_queue(staff_users["other_director"], now=now)[0].mine

    approved = content.content_version_decide(
        actor=staff_users["nc_director"],
        version_id=version.pk,
        approve=True,
        now=now + dt.timedelta(hours=3),
    )
    assert approved.status == "approved"
    assert selectors.current_approved_version(version.item_id) == approved

    # After the delegation ends, the director's authority ends with it.
    later = now + dt.timedelta(days=31)
    second = content.content_version_draft(
        actor=staff_users["organizer"], item_id=version.item_id, body=SCRIPT + " Thank you!"
    )
    content.content_version_submit(actor=staff_users["organizer"], version_id=second.pk, now=later)
    with pytest.raises(ApplicationError) as expired:
        content.content_version_decide(
            actor=staff_users["nc_director"], version_id=second.pk, approve=True, now=later
        )
    assert expired.value.code == "not_an_approver"
    assert selectors.current_approved_version(version.item_id) == approved, (
        "volunteers keep seeing the approved version while the next one waits"
    )


def test_a_request_past_its_time_limit_is_overdue_and_sorted_first(
    campaign: Campaign, staff_users: dict[str, Any], settings: Any
) -> None:
    settings.GROUNDGAME_APPROVAL_HOURS = 24
    now = timezone.now()
    old = script_for(campaign, staff_users["organizer"])
    content.content_version_submit(
        actor=staff_users["organizer"], version_id=old.pk, now=now - dt.timedelta(hours=30)
    )
    item = content.content_item_create(
        actor=staff_users["organizer"],
        kind="literature",
        title="Early vote flyer",
        org_unit_id=campaign.durham.pk,
        body="Vote early at any site in your county.",
    )
    fresh = selectors.content_versions(item.pk)[0]
    content.content_version_submit(actor=staff_users["organizer"], version_id=fresh.pk, now=now)
    queue = selectors.approval_queue(staff_users["chair"], now=now)
    assert [(e.version.pk, e.overdue) for e in queue] == [(old.pk, True), (fresh.pk, False)]
    assert metrics.approvals_overdue(now=now) == 1


def test_nobody_approves_their_own_version_and_a_rejection_says_why(
    campaign: Campaign, staff_users: dict[str, Any]
) -> None:
    now = timezone.now()
    version = script_for(campaign, staff_users["chair"])
    content.content_version_submit(actor=staff_users["chair"], version_id=version.pk, now=now)
    with pytest.raises(ApplicationError) as own:
        content.content_version_decide(
            actor=staff_users["chair"], version_id=version.pk, approve=True, now=now
        )
    assert own.value.code == "own_version"
    content.approval_delegate(
        actor=staff_users["chair"],
        org_unit_id=campaign.nc.pk,
        approver=staff_users["nc_director"],
        expires_at=now + dt.timedelta(days=7),
        now=now,
    )
    with pytest.raises(ApplicationError) as no_note:
        content.content_version_decide(
            actor=staff_users["nc_director"], version_id=version.pk, approve=False, now=now
        )
    assert no_note.value.field == "note"
    rejected = content.content_version_decide(
        actor=staff_users["nc_director"],
        version_id=version.pk,
        approve=False,
        note="Lead with the cost of groceries: that is what people raise at the door.",
        now=now + dt.timedelta(hours=5),
    )
    assert rejected.status == "rejected"
    assert selectors.current_approved_version(version.item_id) is None
    latency = metrics.approval_latency(since=now - dt.timedelta(days=1))
    assert [(row.approver, row.decided, row.median_hours) for row in latency] == [
        ("nc_director", 1, 5.0)
    ]


def test_delegations_are_bounded_by_the_delegators_own_authority(
    campaign: Campaign, staff_users: dict[str, Any], make_staff: Any
) -> None:
    now = timezone.now()
    with pytest.raises(ApplicationError) as not_held:
        content.approval_delegate(
            actor=staff_users["nc_director"],
            org_unit_id=campaign.triangle.pk,
            approver=staff_users["organizer"],
            expires_at=now + dt.timedelta(days=3),
            now=now,
        )
    assert not_held.value.code == "not_an_approver"
    content.approval_delegate(
        actor=staff_users["chair"],
        org_unit_id=campaign.nc.pk,
        approver=staff_users["nc_director"],
        expires_at=now + dt.timedelta(days=10),
        now=now,
    )
    # The director passes it on to a region, but not beyond the ten days they hold it.
    regional = make_staff("triangle_director", role="director", unit=campaign.triangle)
    with pytest.raises(ApplicationError) as too_long:
        content.approval_delegate(
            actor=staff_users["nc_director"],
            org_unit_id=campaign.triangle.pk,
            approver=regional,
            expires_at=now + dt.timedelta(days=20),
            now=now,
        )
    assert too_long.value.field == "expires_at"
    passed_on = content.approval_delegate(
        actor=staff_users["nc_director"],
        org_unit_id=campaign.triangle.pk,
        approver=regional,
        expires_at=now + dt.timedelta(days=5),
        now=now,
    )
    assert [d.pk for d in selectors.delegation_list(now=now)][-1] != passed_on.pk
    content.approval_delegation_revoke(
        actor=staff_users["chair"], delegation_id=passed_on.pk, now=now
    )
    assert passed_on.pk not in [d.pk for d in selectors.delegation_list(now=now)]
    with pytest.raises(ApplicationError) as past:
        content.approval_delegate(
            actor=staff_users["chair"],
            org_unit_id=campaign.nc.pk,
            approver=staff_users["nc_director"],
            expires_at=now - dt.timedelta(minutes=1),
            now=now,
        )
    assert past.value.code == "delegation_invalid"
