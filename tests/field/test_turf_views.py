"""The turf pages over HTTP: cut, map, route and walk list, walk sheet, adjustments and walk
lists, for staff of the unit; not found outside it; sign-in for visitors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from groundgame.core.errors import ValidationFailed
from groundgame.field import services
from groundgame.field.models import Turf, TurfCut, WalkList
from tests.field.turf_builders import build_town

pytestmark = pytest.mark.django_db


@pytest.fixture
def cut(campaign: Any) -> TurfCut:
    town = build_town(unit=campaign.durham, doors_per_zip={"27701": 80})
    return services.turf_cut(
        actor=None, universe_id=town.universe.pk, org_unit_id=campaign.durham.pk, target_doors=40
    )


@pytest.fixture
def durham_organizer_client(
    campaign: Any, make_staff: Callable[..., Any], client_for: Any
) -> Client:
    """Olivia, an organizer of the Durham team."""
    return client_for(make_staff("olivia", role="organizer", unit=campaign.durham))  # type: ignore[no-any-return]


def test_staff_cut_a_universe_from_the_form(
    campaign: Any, durham_organizer_client: Client, make_staff: Any
) -> None:
    town = build_town(unit=campaign.durham, doors_per_zip={"27701": 60}, name="Porches")
    page = durham_organizer_client.get("/field/")
    assert page.status_code == 200
    assert "Porches" in page.content.decode()
    response = durham_organizer_client.post(
        "/field/",
        {"universe": town.universe.pk, "org_unit": campaign.durham.pk, "target_doors": 30},
    )
    assert response.status_code == 302
    cut = TurfCut.objects.get()
    assert response["Location"] == f"/field/cuts/{cut.pk}/"
    page = durham_organizer_client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body
    assert body.count("<polygon") == 2
    assert "Turf 1 · 27701" in body


def test_a_tiny_universe_is_refused_on_the_form(
    campaign: Any, durham_organizer_client: Client
) -> None:
    town = build_town(unit=campaign.durham, doors_per_zip={"27701": 12}, name="Cul-de-sac")
    response = durham_organizer_client.post(
        "/field/",
        {"universe": town.universe.pk, "org_unit": campaign.durham.pk, "target_doors": 50},
    )
    assert response.status_code == 422
    assert "only 12 doors: fewer than one turf of 50" in response.content.decode()
    assert not TurfCut.objects.exists()


def test_the_turf_page_lists_doors_in_walking_order_with_their_people(
    cut: TurfCut, durham_organizer_client: Client
) -> None:
    turf = cut.turfs.first()
    assert turf is not None
    page = durham_organizer_client.get(f"/field/turfs/{turf.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<polyline" in body
    first = turf.stops.order_by("position").first()
    assert first is not None
    assert body.index(first.household.street) < body.index("Voter")  # address, then people
    sheet = durham_organizer_client.get(f"/field/turfs/{turf.pk}/sheet/")
    assert sheet.status_code == 200
    assert "@media print" not in sheet.content.decode()  # print CSS is a stylesheet
    assert "Page 1 of 2" in sheet.content.decode()  # 40 doors, 25 a page


def test_adjustments_and_walk_lists_over_http(
    campaign: Any, cut: TurfCut, durham_organizer_client: Client
) -> None:
    from groundgame.volunteers import services as volunteers_services

    volunteers_services.membership_bulk_create(
        actor=None,
        memberships=[(campaign.alice.pk, campaign.durham.pk, "volunteer")],
        source="test",
    )
    first, second = cut.turfs.order_by("number")
    before = second.doors
    ids = list(first.stops.values_list("household_id", flat=True)[:3])
    response = durham_organizer_client.post(
        f"/field/turfs/{first.pk}/move",
        {"households": [",".join(map(str, ids[:2])), str(ids[2])], "to": second.pk},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.doors == before + 3
    # Nothing to move: the page says so with a 4xx.
    response = durham_organizer_client.post(f"/field/turfs/{first.pk}/move", {"to": second.pk})
    assert response.status_code == 422
    assert "Pick households" in response.content.decode()
    response = durham_organizer_client.post(
        f"/field/turfs/{first.pk}/lists", {"canvasser": campaign.alice.pk}
    )
    assert response.status_code == 302
    assert WalkList.objects.get().canvasser_id == campaign.alice.pk
    response = durham_organizer_client.post(f"/field/turfs/{first.pk}/lists", {})
    assert response.status_code == 422
    assert "Choose a shift, a volunteer, or both." in response.content.decode()
    # A turf with a walk list out is not merged away.
    response = durham_organizer_client.post(f"/field/turfs/{first.pk}/merge", {"into": second.pk})
    assert response.status_code == 409
    response = durham_organizer_client.post(f"/field/turfs/{second.pk}/split")
    assert response.status_code == 302
    assert Turf.objects.filter(cut=cut).count() == 3


def test_pages_are_not_found_outside_the_unit_and_need_sign_in(
    campaign: Any, cut: TurfCut, make_staff: Any, client_for: Any
) -> None:
    turf = cut.turfs.first()
    assert turf is not None
    elsewhere = client_for(make_staff("gus", role="organizer", unit=campaign.guilford))
    for url in (
        f"/field/cuts/{cut.pk}/",
        f"/field/turfs/{turf.pk}/",
        f"/field/turfs/{turf.pk}/sheet/",
    ):
        assert elsewhere.get(url).status_code == 404
    assert elsewhere.post(f"/field/turfs/{turf.pk}/split").status_code == 404
    anonymous = Client().get(f"/field/turfs/{turf.pk}/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")
    analyst = client_for(make_staff("ana", role="analyst", unit=campaign.durham))
    assert analyst.get("/field/").status_code == 403


def test_a_walk_list_carries_an_approved_script_of_the_turfs_units(
    campaign: Any, cut: TurfCut, durham_organizer_client: Client
) -> None:
    """The form offers the approved scripts of the turf's team and the units above it, the
    newest first; the list keeps the one chosen (the canvassing app shows it). A script of
    another unit, or literature, is refused naming the field, and no list is made."""
    from groundgame.content import services as content
    from groundgame.volunteers import services as volunteers_services
    from tests.field.builders import _approve

    volunteers_services.membership_bulk_create(
        actor=None,
        memberships=[(campaign.alice.pk, campaign.durham.pk, "volunteer")],
        source="test",
    )

    def script(unit: Any, title: str, kind: str = "script") -> int:
        item = content.content_item_create(
            actor=None, kind=kind, title=title, org_unit_id=unit.pk, body="Hi, I'm a volunteer."
        )
        _approve(item.pk, None)
        return item.pk

    state_script = script(campaign.nc, "North Carolina door script")
    elsewhere = script(campaign.guilford, "Guilford door script")
    leaflet = script(campaign.durham, "Durham leaflet", kind="literature")
    turf = cut.turfs.order_by("number").first()
    assert turf is not None
    page = durham_organizer_client.get(f"/field/turfs/{turf.pk}/").content.decode()
    assert "North Carolina door script (version 1)" in page
    assert "Guilford door script" not in page
    assert "Durham leaflet" not in page

    response = durham_organizer_client.post(
        f"/field/turfs/{turf.pk}/lists", {"canvasser": campaign.alice.pk, "script": state_script}
    )
    assert response.status_code == 302
    assert WalkList.objects.get().script_id == state_script
    listed = durham_organizer_client.get(f"/field/turfs/{turf.pk}/").content.decode()
    assert "North Carolina door script" in listed
    for wrong in (elsewhere, leaflet):
        with pytest.raises(ValidationFailed) as refused:
            services.walk_list_create(actor=None, turf_id=turf.pk, script_id=wrong)
        assert refused.value.field == "script"
        assert refused.value.code == "walk_list_script_invalid"
    assert WalkList.objects.count() == 1
