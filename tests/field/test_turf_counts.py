"""The cut's table and each turf's page give a turf the same doors, households and people,
and the cut's page says which turfs a boundary left far from the target size."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from groundgame.consent import services as consent
from groundgame.field import services
from groundgame.people import services as people
from groundgame.people.models import Household, Person
from tests.field.turf_builders import build_town

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'<a href="/field/turfs/(\d+)/">[^<]*</a></span></td>\s*'
    r'<td class="num">(\d+)</td>\s*<td class="num hide-narrow">(\d+)</td>\s*'
    r'<td class="num">(\d+)</td>'
)
LEDE = re.compile(r"(\d+) doors?, (\d+) households?, (\d+) people")


def cut_table(client: Any, cut_id: int) -> dict[int, tuple[int, int, int]]:
    page = client.get(reverse("field:cut", args=[cut_id]))
    assert page.status_code == 200
    return {int(t): (int(d), int(h), int(p)) for t, d, h, p in ROW.findall(page.text)}


def turf_page(client: Any, turf_id: int) -> tuple[int, int, int]:
    page = client.get(reverse("field:turf", args=[turf_id]))
    assert page.status_code == 200
    found = LEDE.search(page.text)
    assert found, "the turf page names its doors, households and people"
    doors, households, people_ = found.groups()
    return int(doors), int(households), int(people_)


def test_the_cut_table_and_the_turf_pages_agree(campaign, make_staff, client_for):
    town = build_town(
        unit=campaign.durham, doors_per_zip={"27701": 60}, shared_buildings=10, name="Doors"
    )
    homes = town.households
    # Housemates: the walk list lists everyone at the door the rule lets a canvasser ask for.
    for home in homes[:12]:
        people.person_create(
            actor=None, first_name="Sam", last_name="Roe", household=home,
            org_unit_id=campaign.durham.pk,
        )  # fmt: skip
    cut = services.turf_cut(
        actor=None, universe_id=town.universe.pk, org_unit_id=campaign.durham.pk, target_doors=20
    )
    # After the cut, people ask at the door not to be contacted again: one of two housemates,
    # and the only resident of three households, which leave the walk lists.
    consent.do_not_contact_set(
        person_id=Person.objects.get(household=homes[0], last_name="Roe").pk,
        reason="asked at the door", source="canvass",
    )  # fmt: skip
    for home in homes[20:23]:
        for person in Person.objects.filter(household=home):
            consent.do_not_contact_set(
                person_id=person.pk, reason="asked at the door", source="canvass"
            )
    client = client_for(make_staff("olivia", role="organizer", unit=campaign.durham))
    table = cut_table(client, cut.pk)
    assert len(table) == cut.turfs.count() == 3
    for turf_id, figures in table.items():
        assert turf_page(client, turf_id) == figures
    # The figures are the walk lists': 60 doors (10 with an apartment) less the 3 refused.
    assert sum(d for d, _, _ in table.values()) == 57
    assert sum(h for _, h, _ in table.values()) == 70 - 3
    assert sum(p for _, _, p in table.values()) == 70 + 12 - 1 - 3


def test_the_cut_page_names_the_turfs_a_boundary_left_far_from_the_target(
    campaign, make_staff, client_for
):
    # 100 doors in one ZIP code and 8 in the other: within ZIP codes, the second is one turf
    # of 8 doors, 84% under a target of 50.
    town = build_town(unit=campaign.durham, doors_per_zip={"27701": 100, "27703": 8})
    client = client_for(make_staff("olivia", role="organizer", unit=campaign.durham))
    within = services.turf_cut(
        actor=None, universe_id=town.universe.pk, org_unit_id=campaign.durham.pk,
        target_doors=50, boundary="zip5",
    )  # fmt: skip
    page = client.get(reverse("field:cut", args=[within.pk]))
    small = within.turfs.get(doors=8)
    assert "1 turf is more than 25% off the target of 50 doors" in page.text
    assert "cannot be cut closer without crossing its line" in page.text
    assert f'<a href="/field/turfs/{small.pk}/">{small.name}</a>: 8 doors, 84% under' in page.text
    # Without the boundary the turfs are within the cutter's usual few doors: no warning.
    across = services.turf_cut(
        actor=None, universe_id=town.universe.pk, org_unit_id=campaign.durham.pk,
        target_doors=50,
    )  # fmt: skip
    page = client.get(reverse("field:cut", args=[across.pk]))
    assert "off the target" not in page.text
    assert Household.objects.count() == 108
