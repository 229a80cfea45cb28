"""The content pages: write a draft, submit it, see it in the queue, approve it, delegate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.utils import timezone

from groundgame.content import selectors
from tests.conftest import Campaign


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    for url in ("/content/", "/content/queue/", "/content/delegations/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_an_organizer_writes_submits_and_the_chair_approves(
    campaign: Campaign, staff_users: dict[str, Any], client_for: Any
) -> None:
    organizer = client_for(staff_users["organizer"])
    missing = organizer.post(
        "/content/", {"kind": "script", "title": "", "org_unit": campaign.durham.pk, "body": "x"}
    )
    assert missing.status_code == 400
    assert "This field is required." in missing.content.decode()
    outside = organizer.post(
        "/content/",
        {"kind": "script", "title": "Guilford", "org_unit": campaign.guilford.pk, "body": "Hi"},
    )
    assert outside.status_code == 400, "Guilford is not among the organizer's units"
    created = organizer.post(
        "/content/",
        {
            "kind": "script",
            "title": "Durham doors",
            "org_unit": campaign.durham.pk,
            "body": "Hi, I'm with the campaign. <b>What matters</b> to you?",
        },
    )
    assert created.status_code == 302
    page = organizer.get(created["Location"])
    assert "&lt;b&gt;What matters&lt;/b&gt;" in page.content.decode(), "the body is escaped"
    item_id = int(created["Location"].rstrip("/").rsplit("/", 1)[-1])
    version = selectors.content_versions(item_id)[0]
    assert (
        organizer.post(
            f"/content/{item_id}/", {"action": "submit", "version": version.pk}
        ).status_code
        == 302
    )

    chair = client_for(staff_users["chair"])
    queue = chair.get("/content/queue/").content.decode()
    assert "Durham doors" in queue
    assert "1 waiting for you" in queue
    refused = organizer.post(
        f"/content/{item_id}/",
        {"action": "decide", "version": version.pk, "decision": "approve", "note": ""},
    )
    assert refused.status_code == 403
    sent_back = chair.post(
        f"/content/{item_id}/",
        {"action": "decide", "version": version.pk, "decision": "reject", "note": ""},
    )
    assert sent_back.status_code == 422
    assert "Say what to change." in sent_back.content.decode()
    approved = chair.post(
        f"/content/{item_id}/",
        {"action": "decide", "version": version.pk, "decision": "approve", "note": ""},
    )
    assert approved.status_code == 302
    assert selectors.current_approved_version(item_id) is not None
    assert "Volunteers see version 1" in chair.get(f"/content/{item_id}/").content.decode()


def test_the_chair_delegates_and_bad_dates_are_named(
    campaign: Campaign, staff_users: dict[str, Any], client_for: Any
) -> None:
    chair = client_for(staff_users["chair"])
    past = (timezone.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    bad = chair.post(
        "/content/delegations/",
        {
            "action": "delegate",
            "org_unit": campaign.nc.pk,
            "approver": "nc_director",
            "expires_at": past,
        },
    )
    assert bad.status_code == 422
    assert "The end must be in the future." in bad.content.decode()
    nobody = chair.post(
        "/content/delegations/",
        {
            "action": "delegate",
            "org_unit": campaign.nc.pk,
            "approver": "nobody",
            "expires_at": past,
        },
    )
    assert "No staff account with that username." in nobody.content.decode()
    soon = (timezone.now() + dt.timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    made = chair.post(
        "/content/delegations/",
        {
            "action": "delegate",
            "org_unit": campaign.nc.pk,
            "approver": "nc_director",
            "expires_at": soon,
            "kinds": ["script"],
        },
    )
    assert made.status_code == 302
    page = chair.get("/content/delegations/").content.decode()
    assert "nc_director" in page
    assert "North Carolina and below" in page
