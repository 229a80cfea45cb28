"""A walk list already handed out follows the contact rule at the next sync: a person who
asks not to be contacted (or leaves the door channel) after the list was downloaded is named
in the sync answer and left off the next download, a door whose every resident asked is no
longer a door, and a result recorded for them before the phone heard is still stored."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from groundgame.consent import services as consent
from groundgame.field.models import CanvassResult
from tests.conftest import Campaign
from tests.field.builders import Canvass, build_walk_list
from tests.field.test_canvass_sync import result, sync


@pytest.fixture
def canvass(campaign: Campaign) -> Canvass:
    return build_walk_list(team=campaign.durham, doors=4)


def _download(client: Client, code: str) -> dict[str, Any]:
    response = client.get(f"/api/field/lists/{code}")
    assert response.status_code == 200, response.content
    bundle: dict[str, Any] = response.json()
    return bundle


def _listed(bundle: dict[str, Any]) -> tuple[list[int], set[int]]:
    doors = [door["id"] for door in bundle["households"]]
    people = {person["id"] for door in bundle["households"] for person in door["people"]}
    return doors, people


def test_a_handed_out_list_drops_who_asked_at_the_next_sync(
    canvass: Canvass, client: Client
) -> None:
    doors, people = _listed(_download(client, canvass.code))
    first, second = canvass.door(0), canvass.door(1)
    asked = canvass.people[first.pk][0]
    assert asked.pk in people
    assert second.pk in doors

    # After the list went out: one person asks never to be contacted (by email, say), and
    # everyone at the second door leaves the door channel.
    consent.do_not_contact_set(person_id=asked.pk, reason="Asked by email.", source="staff")
    for person in canvass.people[second.pk]:
        consent.channel_leave(person_id=person.pk, channel="door", source="staff")

    # The phone, which still has them, syncs a knock on the first door recorded before it
    # heard: the knock happened, so it is stored.
    row = result(canvass, 0, person_id=asked.pk, outcome="talked")
    answer = sync(client, canvass.code, [row])
    assert answer["results"][0]["status"] == "accepted"
    assert CanvassResult.objects.filter(client_id=row["client_id"], person_id=asked.pk).exists()
    # The answer names who to drop: the person who asked, and the door nobody may be
    # knocked for any more with its residents.
    assert answer["refused"] == {
        "households": [second.pk],
        "people": sorted([asked.pk, *(p.pk for p in canvass.people[second.pk])]),
    }

    # The list downloaded again agrees: the first door stays for its other resident.
    doors, people = _listed(_download(client, canvass.code))
    assert doors == [h.pk for h in canvass.households if h.pk != second.pk]
    assert asked.pk not in people
    assert canvass.people[first.pk][1].pk in people


def test_an_answer_with_nobody_refused_says_so(canvass: Canvass, client: Client) -> None:
    assert sync(client, canvass.code, [])["refused"] == {"households": [], "people": []}


def test_a_door_request_at_the_door_is_dropped_in_the_same_answer(
    canvass: Canvass, client: Client
) -> None:
    row = result(canvass, 2, outcome="refused", do_not_contact="door")
    assert sync(client, canvass.code, [row])["refused"]["households"] == [canvass.door(2).pk]
