"""Field quality: results that look fabricated are flagged, not dropped, whatever order they
sync in; staff review them, in their own units only, on the review page."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from groundgame.field import selectors
from groundgame.field.models import CanvassResult, SyncRejection
from tests.conftest import Campaign
from tests.field.builders import Canvass, build_walk_list

T0 = timezone.now() - dt.timedelta(hours=2)


@pytest.fixture
def canvass(campaign: Campaign) -> Canvass:
    return build_walk_list(team=campaign.durham)


def door(canvass: Canvass, n: int, seconds: float, **fields: Any) -> dict[str, Any]:
    """Door ``n`` of the list (40 m apart), recorded ``seconds`` after T0."""
    return {
        "client_id": str(uuid.uuid4()),
        "household_id": canvass.door(n).pk,
        "outcome": "not_home",
        "recorded_at": (T0 + dt.timedelta(seconds=seconds)).isoformat(),
        **fields,
    }


def sync(canvass: Canvass, rows: list[dict[str, Any]]) -> dict[str, Any]:
    body = json.dumps({"list_code": canvass.code, "results": rows})
    response = Client().post("/api/field/sync", body, content_type="application/json")
    assert response.status_code == 200
    return response.json()


def flags() -> dict[str, list[str]]:
    return {
        str(r.client_id): [f["code"] for f in r.flags]
        for r in CanvassResult.objects.filter(review="flagged")
    }


def test_an_honest_walk_is_not_flagged(canvass: Canvass) -> None:
    here = canvass.door(1)
    sync(
        canvass,
        [
            door(canvass, 0, 0),
            door(
                canvass,
                1,
                90,
                outcome="talked",
                latitude=here.latitude + 0.0003,
                longitude=here.longitude,
            ),
            door(canvass, 2, 200),
            door(canvass, 3, 230),
        ],
    )
    assert CanvassResult.objects.count() == 4
    assert flags() == {}


def test_a_conversation_too_soon_after_the_last_door_is_flagged(canvass: Canvass) -> None:
    rows = [door(canvass, 0, 0), door(canvass, 1, 12, outcome="talked", support=1)]
    sync(canvass, rows)
    assert flags() == {rows[1]["client_id"]: ["too_fast"]}
    flagged = CanvassResult.objects.get(client_id=rows[1]["client_id"])
    assert flagged.flags[0]["detail"] == "a conversation 12 s after the last door"
    # Flagged, not dropped: it counts until a reviewer decides.
    counts = selectors.canvass_daily_counts(since=T0.date(), until=timezone.now().date())
    assert sum(c.conversations for c in counts) == 1


def test_an_impossible_walking_speed_is_flagged(canvass: Canvass) -> None:
    # Door 5 is 200 m from door 0: 10 s is 20 m/s.
    rows = [door(canvass, 0, 0), door(canvass, 5, 10)]
    sync(canvass, rows)
    assert flags() == {rows[1]["client_id"]: ["impossible_speed"]}
    assert CanvassResult.objects.get(client_id=rows[1]["client_id"]).flags[0]["detail"] == (
        "200 m from the last door in 10 s"
    )


def test_a_phone_far_from_the_door_is_flagged(canvass: Canvass) -> None:
    here = canvass.door(0)
    rows = [door(canvass, 0, 0, latitude=here.latitude + 0.01, longitude=here.longitude)]
    sync(canvass, rows)
    assert flags() == {rows[0]["client_id"]: ["far_from_door"]}
    assert "1.1 km away" in CanvassResult.objects.get().flags[0]["detail"]


def test_without_coordinates_the_zip_centroid_catches_only_another_town(
    campaign: Campaign,
) -> None:
    canvass = build_walk_list(team=campaign.durham, code="NOGEO1", geocoded=False)
    near = door(canvass, 0, 0, latitude=35.99, longitude=-78.90)  # in Durham's 27701
    far = door(canvass, 1, 600, latitude=35.78, longitude=-78.64)  # Raleigh, 25 km off
    sync(canvass, [near, far])
    assert flags() == {far["client_id"]: ["far_from_zip"]}


def test_late_syncs_are_judged_in_recording_order(canvass: Canvass) -> None:
    """The door recorded first but synced last still flags the door recorded after it."""
    later = door(canvass, 1, 10, outcome="talked")
    sync(canvass, [later])
    assert flags() == {}
    sync(canvass, [door(canvass, 0, 0)])
    assert flags() == {later["client_id"]: ["too_fast"]}


def review_page(client: Client) -> str:
    response = client.get("/field/review/")
    assert response.status_code == 200
    return response.content.decode()


def test_staff_review_flagged_and_rejected_results_in_their_units(
    canvass: Canvass,
    campaign: Campaign,
    make_staff: Callable[..., Any],
    client_for: Callable[[Any], Client],
) -> None:
    rows = [
        door(canvass, 0, 0),
        door(canvass, 1, 5, outcome="talked"),
        door(canvass, 2, 300, outcome="talked", support=9),
    ]
    sync(canvass, rows)
    organizer = client_for(make_staff("olu", role="organizer", unit=campaign.triangle))
    elsewhere = client_for(make_staff("gia", role="organizer", unit=campaign.piedmont))

    page = review_page(organizer)
    assert "1 flagged result" in page
    assert "a conversation 5 s after the last door" in page
    assert "1 rejected result" in page
    assert "support_invalid" in page
    other = review_page(elsewhere)
    assert "0 flagged results" in other
    assert "0 rejected results" in other

    flagged = CanvassResult.objects.get(review="flagged")
    rejection = SyncRejection.objects.get()
    # Outside their units, a result is not found.
    assert (
        elsewhere.post(
            f"/field/review/results/{flagged.pk}/decide", {"decision": "genuine"}
        ).status_code
        == 404
    )
    assert elsewhere.post(f"/field/review/rejections/{rejection.pk}/resolve").status_code == 404

    response = organizer.post(
        f"/field/review/results/{flagged.pk}/decide", {"decision": "not_genuine"}
    )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.review == "rejected"
    # Not genuine leaves the counts.
    counts = selectors.canvass_daily_counts(since=T0.date(), until=timezone.now().date())
    assert sum(c.conversations for c in counts) == 0
    assert sum(c.doors for c in counts) == 1
    # Decided once: a second decision is refused.
    assert (
        organizer.post(
            f"/field/review/results/{flagged.pk}/decide", {"decision": "genuine"}
        ).status_code
        == 404
    )

    assert organizer.post(f"/field/review/rejections/{rejection.pk}/resolve").status_code == 302
    rejection.refresh_from_db()
    assert rejection.resolved_at is not None
    page = review_page(organizer)
    assert "0 flagged results" in page
    assert "0 rejected results" in page
