"""Walk lists follow the door caps: knocks synced from the canvass app count against them,
and a turf cut, the turf page and the canvass app's download leave out doors visited as often
as the caps allow, with the count of doors left out on the cut's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from groundgame.consent import services as consent
from groundgame.field import turf_selectors
from groundgame.field.models import Turf, TurfCut
from tests.conftest import Campaign
from tests.field.builders import Canvass, build_walk_list
from tests.field.test_canvass_sync import result, sync

pytestmark = pytest.mark.django_db

DOORS = 14
KNOCKED = (0, 1, 2)


@pytest.fixture
def canvass(campaign: Campaign) -> Canvass:
    return build_walk_list(team=campaign.durham, doors=DOORS, people_per_door=2)


@pytest.fixture
def durham_organizer_client(
    campaign: Campaign, make_staff: Callable[..., Any], client_for: Any
) -> Client:
    return client_for(make_staff("olivia", role="organizer", unit=campaign.durham))  # type: ignore[no-any-return]


def _door_caps(per_person: int = 3, per_household: int | None = 1) -> None:
    consent.contact_cap_set(
        actor=None,
        channel="door",
        per_person=per_person,
        per_household=per_household,
        window_hours=24 * 7,
    )


def _knock(client: Client, canvass: Canvass, doors: tuple[int, ...]) -> None:
    """Knocks synced from the phone: both residents talked to at each door."""
    rows = [
        result(canvass, n, person_id=person.pk, outcome="talked")
        for n in doors
        for person in canvass.people[canvass.door(n).pk]
    ]
    answer = sync(client, canvass.code, rows)
    assert {r["status"] for r in answer["results"]} == {"accepted"}


def test_a_cut_leaves_out_doors_over_the_door_cap_and_says_how_many(
    campaign: Campaign, canvass: Canvass, client: Client, durham_organizer_client: Client
) -> None:
    _door_caps(per_household=1)
    _knock(client, canvass, KNOCKED)
    knocked = {canvass.door(n).pk for n in KNOCKED}

    response = durham_organizer_client.post(
        "/field/",
        {
            "universe": canvass.walk_list.turf.cut.universe_id,
            "org_unit": campaign.durham.pk,
            "target_doors": 10,
            "name": "Second pass",
        },
    )
    assert response.status_code == 302, response.content
    cut = TurfCut.objects.get(name="Second pass")
    assert (cut.households, cut.capped_doors) == (DOORS - len(KNOCKED), len(KNOCKED))
    page = durham_organizer_client.get(response["Location"]).content.decode()
    assert f'data-capped-doors="{len(KNOCKED)}"' in page
    assert "3</strong> doors left out" in page
    listing = durham_organizer_client.get("/field/").content.decode()
    assert "3 over the caps" in listing

    (turf,) = Turf.objects.filter(cut=cut)
    walk = turf_selectors.turf_walk(turf)
    assert not {h for door in walk.doors for h in door.households} & knocked
    assert len(walk.doors) == turf.doors == DOORS - len(KNOCKED)


def test_the_handed_out_list_drops_doors_once_they_reach_the_cap(
    canvass: Canvass, client: Client
) -> None:
    """Two visits a week: one walk list's knocks are one visit, whoever answered, and the
    door stays on the list; a second list's visit fills the cap and the door goes."""
    _door_caps(per_household=2)
    _knock(client, canvass, KNOCKED)
    assert sync(client, canvass.code, [])["refused"] == {"households": [], "people": []}
    consent.contacts_record(
        channel="door",
        contacts=[(None, canvass.door(0).pk)],
        at=canvass.walk_list.created_at,
        source="canvass:another-list",
    )
    refused = sync(client, canvass.code, [])["refused"]
    assert refused["households"] == [canvass.door(0).pk]
    bundle = client.get(f"/api/field/lists/{canvass.code}").json()
    assert canvass.door(0).pk not in [door["id"] for door in bundle["households"]]


def test_a_person_over_the_door_cap_is_left_off_while_the_door_stays(
    canvass: Canvass, client: Client
) -> None:
    _door_caps(per_person=1, per_household=None)
    first, second = canvass.people[canvass.door(0).pk]
    answer = sync(client, canvass.code, [result(canvass, 0, person_id=first.pk)])
    assert answer["refused"] == {"households": [], "people": [first.pk]}
    walk = turf_selectors.turf_walk(canvass.walk_list.turf)
    listed = {r.person_id for door in walk.doors for r in door.residents}
    assert second.pk in listed
    assert first.pk not in listed


def test_without_door_caps_every_door_stays(
    campaign: Campaign, canvass: Canvass, client: Client
) -> None:
    _knock(client, canvass, KNOCKED)
    walk = turf_selectors.turf_walk(canvass.walk_list.turf)
    assert len(walk.doors) == DOORS
