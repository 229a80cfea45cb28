"""Turf cutting: balanced, compact turfs that cover every door once, respect boundaries and
come with short routes; clear refusals; hand adjustments that keep every household on
exactly one turf."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.audit.models import AuditEvent
from groundgame.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from groundgame.field import services, walking_routes
from groundgame.field.models import Turf, TurfCut, TurfStop, WalkList
from groundgame.people.models import Household, Person, Universe
from tests.field.turf_builders import build_town

pytestmark = pytest.mark.django_db


def _stops(cut: TurfCut) -> list[tuple[int, int, int]]:
    return list(
        TurfStop.objects.filter(turf__cut=cut).values_list("turf_id", "household_id", "position")
    )


def _assert_partition(cut: TurfCut, households: list[Any]) -> None:
    """Every household of the universe on exactly one turf, positions 1..n on each."""
    stops = _stops(cut)
    counts = Counter(h for _, h, _ in stops)
    assert set(counts) == {h.pk for h in households}
    assert set(counts.values()) == {1}
    by_turf: dict[int, list[int]] = {}
    for turf, _, position in stops:
        by_turf.setdefault(turf, []).append(position)
    for positions in by_turf.values():
        assert sorted(positions) == list(range(1, len(positions) + 1))


def test_turfs_are_balanced_and_cover_every_household_once(campaign: Any) -> None:
    town = build_town(unit=campaign.durham, doors_per_zip={"27701": 240, "27703": 160})
    cut = services.turf_cut(
        actor=None, universe_id=town.universe.pk, org_unit_id=campaign.durham.pk, target_doors=40
    )
    turfs = list(cut.turfs.all())
    assert len(turfs) == 10
    # Cuts move to a gap between streets within a few doors of even: 12% at most.
    assert all(abs(t.doors - 40) <= 0.12 * 40 for t in turfs), [t.doors for t in turfs]
    assert sum(t.doors for t in turfs) == 400
    assert cut.households == 400
    _assert_partition(cut, town.households)
    assert {t.org_unit_id for t in turfs} == {campaign.durham.pk}
    assert AuditEvent.objects.filter(action="turf_cut.create", entity_id=str(cut.pk)).exists()


def test_households_at_one_address_are_one_door(campaign: Any) -> None:
    town = build_town(
        unit=campaign.durham, doors_per_zip={"27701": 100}, shared_buildings=20, name="Flats"
    )
    cut = services.turf_cut(
        actor=None, universe_id=town.universe.pk, org_unit_id=campaign.durham.pk, target_doors=50
    )
    turfs = list(cut.turfs.all())
    assert sum(t.doors for t in turfs) == 100
    assert sum(t.people for t in turfs) == 120
    _assert_partition(cut, town.households)
    # The two households of a building are walked one after the other.
    stops = {h: (turf, pos) for turf, h, pos in _stops(cut)}
    by_address: dict[str, list[int]] = {}
    for h in town.households:
        by_address.setdefault(h.street, []).append(h.pk)
    for pair in (v for v in by_address.values() if len(v) == 2):
        (t1, p1), (t2, p2) = stops[pair[0]], stops[pair[1]]
        assert t1 == t2
        assert abs(p1 - p2) == 1


def test_a_boundary_is_never_crossed(campaign: Any) -> None:
    # 70 doors in one ZIP and 50 in the other: without the boundary turfs of 40 would mix.
    town = build_town(unit=campaign.durham, doors_per_zip={"27701": 70, "27703": 50})
    cut = services.turf_cut(
        actor=None,
        universe_id=town.universe.pk,
        org_unit_id=campaign.durham.pk,
        target_doors=40,
        boundary="zip5",
    )
    zips = dict(Household.objects.values_list("pk", "zip5"))
    for turf in cut.turfs.all():
        assert len({zips[h] for h in turf.stops.values_list("household_id", flat=True)}) == 1
    doors = sorted(t.doors for t in cut.turfs.all())
    assert doors[2] == 50  # the smaller ZIP code's turf, alone
    assert doors[0] + doors[1] == 70
    assert doors[1] - doors[0] <= 6


def test_turfs_belong_to_the_team_covering_most_of_their_doors(campaign: Any) -> None:
    town = build_town(unit=campaign.triangle, doors_per_zip={"27701": 60, "27601": 60})
    cut = services.turf_cut(
        actor=None,
        universe_id=town.universe.pk,
        org_unit_id=campaign.triangle.pk,
        target_doors=60,
        boundary="county_fips",
    )
    units = sorted(t.org_unit_id for t in cut.turfs.all())
    assert units == sorted([campaign.durham.pk, campaign.wake.pk])


def test_routes_visit_each_door_once_and_beat_file_order(campaign: Any) -> None:
    town = build_town(unit=campaign.durham, doors_per_zip={"27701": 96}, seed=3)
    cut = services.turf_cut(
        actor=None, universe_id=town.universe.pk, org_unit_id=campaign.durham.pk, target_doors=96
    )
    turf = cut.turfs.get()
    coords = {h.pk: (h.latitude, h.longitude) for h in town.households}
    walked = list(turf.stops.order_by("position").values_list("household_id", flat=True))
    assert sorted(walked) == sorted(coords)
    # Shuffled file order against the route, in the same meters.
    rng = np.random.default_rng(5)
    shuffled = list(rng.permutation(walked))

    def meters(order: list[int]) -> float:
        lat = np.array([coords[h][0] for h in order])
        lon = np.array([coords[h][1] for h in order])
        return walking_routes.path_meters(walking_routes.project(lat, lon), np.arange(len(order)))

    assert turf.route_meters == pytest.approx(meters(walked), rel=0.01)
    assert meters(walked) < 0.25 * meters(shuffled)
    # On a grid of streets the route walks each street's doors together: few street changes.
    streets = dict(Household.objects.values_list("pk", "street"))
    changes = sum(
        walking_routes.street_name(streets[a]) != walking_routes.street_name(streets[b])
        for a, b in itertools.pairwise(walked)
    )
    assert changes <= 8


def test_routing_is_good_on_random_points() -> None:
    rng = np.random.default_rng(11)
    xy = rng.uniform(0, 1000, (60, 2))
    order = walking_routes.route(xy, ["" for _ in range(60)])
    assert sorted(order.tolist()) == list(range(60))
    # A random open path through 60 points in a 1 km square is ~31 km; a good one under 6.5.
    assert walking_routes.path_meters(xy, order) < 6_500


def test_an_empty_universe_is_refused_with_nothing_written(campaign: Any) -> None:
    from groundgame.people import services as people

    universe = people.universe_save(actor=None, name="Nobody", filters={"state": ["WY"]})
    with pytest.raises(ValidationFailed) as failed:
        services.turf_cut(
            actor=None, universe_id=universe.pk, org_unit_id=campaign.durham.pk, target_doors=50
        )
    assert "has no households with an address" in failed.value.message
    assert failed.value.code == "turf_universe_empty"
    assert not TurfCut.objects.exists()


def test_a_tiny_universe_says_how_many_doors_it_has(campaign: Any) -> None:
    town = build_town(unit=campaign.durham, doors_per_zip={"27701": 12})
    with pytest.raises(ValidationFailed) as failed:
        services.turf_cut(
            actor=None,
            universe_id=town.universe.pk,
            org_unit_id=campaign.durham.pk,
            target_doors=50,
        )
    assert failed.value.message == ("The universe has only 12 doors: fewer than one turf of 50.")
    assert failed.value.field == "target_doors"
    assert not TurfCut.objects.exists()
    assert not Turf.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_doors": 3}, "target_doors"),
        ({"boundary": "precinct"}, "boundary"),
        ({"universe_id": 999_999}, "universe"),
        ({"org_unit_id": 999_999}, "org_unit"),
    ],
)
def test_bad_parameters_name_their_field(campaign: Any, change: dict[str, Any], field: str) -> None:
    town = build_town(unit=campaign.durham, doors_per_zip={"27701": 30})
    kwargs: dict[str, Any] = {
        "actor": None,
        "universe_id": town.universe.pk,
        "org_unit_id": campaign.durham.pk,
        "target_doors": 20,
    }
    with pytest.raises(ApplicationError) as failed:
        services.turf_cut(**{**kwargs, **change})
    assert failed.value.field == field
    assert not TurfCut.objects.exists()


def test_households_without_coordinates_stand_at_their_zip_centroid(campaign: Any) -> None:
    town = build_town(unit=campaign.durham, doors_per_zip={"27701": 40})
    Household.objects.filter(pk__in=[h.pk for h in town.households[:5]]).update(
        latitude=None, longitude=None
    )
    cut = services.turf_cut(
        actor=None, universe_id=town.universe.pk, org_unit_id=campaign.durham.pk, target_doors=20
    )
    _assert_partition(cut, town.households)


# Hand adjustments --------------------------------------------------------------------------


def _cut(campaign: Any, doors: int = 120, target: int = 30) -> tuple[TurfCut, list[Any]]:
    town = build_town(unit=campaign.durham, doors_per_zip={"27701": doors})
    cut = services.turf_cut(
        actor=None,
        universe_id=town.universe.pk,
        org_unit_id=campaign.durham.pk,
        target_doors=target,
    )
    return cut, town.households


def test_move_merge_and_split_keep_every_household_on_one_turf(campaign: Any) -> None:
    cut, households = _cut(campaign)
    first, second, third, _ = cut.turfs.order_by("number")
    sizes = {t.pk: t.doors for t in (first, second, third)}
    moving = list(first.stops.values_list("household_id", flat=True)[:5])
    services.turf_stops_move(actor=None, household_ids=moving, to_turf_id=second.pk)
    second.refresh_from_db()
    assert second.doors == sizes[second.pk] + 5
    assert set(moving) <= set(second.stops.values_list("household_id", flat=True))
    merged = services.turf_merge(actor=None, turf_id=third.pk, into_turf_id=second.pk)
    assert merged.doors == sizes[second.pk] + 5 + sizes[third.pk]
    assert not Turf.objects.filter(pk=third.pk).exists()
    kept, new = services.turf_split(actor=None, turf_id=merged.pk)
    assert kept.doors + new.doors == merged.doors
    assert abs(kept.doors - new.doors) <= 8
    assert new.number == 5
    _assert_partition(cut, households)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"turf.stops_move", "turf.merge", "turf.split"} <= actions


def test_adjustments_refuse_what_would_break_a_turf(campaign: Any) -> None:
    cut, households = _cut(campaign, doors=60, target=30)
    first, second = cut.turfs.order_by("number")
    everything = list(first.stops.values_list("household_id", flat=True))
    with pytest.raises(ValidationFailed) as failed:
        services.turf_stops_move(actor=None, household_ids=everything, to_turf_id=second.pk)
    assert "merge it instead" in failed.value.message
    with pytest.raises(ValidationFailed):
        services.turf_stops_move(actor=None, household_ids=[999_999], to_turf_id=second.pk)
    services.walk_list_create(actor=None, turf_id=first.pk, canvasser_id=campaign.alice.pk)
    with pytest.raises(Conflict):
        services.turf_merge(actor=None, turf_id=first.pk, into_turf_id=second.pk)
    with pytest.raises(NotFound):
        services.turf_split(actor=None, turf_id=999_999)
    _assert_partition(cut, households)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["move", "merge", "split"]), st.integers(0, 50), st.integers(1, 8)
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_sequence_of_adjustments_keeps_the_partition(campaign: Any, steps: list[Any]) -> None:
    # Hypothesis runs its examples in one test transaction: start each from an empty file.
    TurfCut.objects.all().delete()
    Person.objects.filter(household__isnull=False).delete()
    Household.objects.all().delete()
    Universe.objects.all().delete()
    cut, households = _cut(campaign, doors=90, target=30)
    for action, pick, count in steps:
        turfs = list(cut.turfs.order_by("number"))
        a, b = turfs[pick % len(turfs)], turfs[(pick + 1) % len(turfs)]
        try:
            if action == "move":
                ids = list(a.stops.values_list("household_id", flat=True)[:count])
                services.turf_stops_move(actor=None, household_ids=ids, to_turf_id=b.pk)
            elif action == "merge":
                services.turf_merge(actor=None, turf_id=a.pk, into_turf_id=b.pk)
            else:
                services.turf_split(actor=None, turf_id=a.pk)
        except ApplicationError:
            pass  # a refused adjustment (the last turf, an emptied one) changes nothing
        _assert_partition(cut, households)
        for turf in cut.turfs.all():
            assert turf.doors == turf.stops.count()


def test_walk_list_codes_are_short_and_unguessable(campaign: Any) -> None:
    cut, _ = _cut(campaign, doors=60, target=30)
    turf = cut.turfs.first()
    assert turf is not None
    codes = {
        services.walk_list_create(actor=None, turf_id=turf.pk, canvasser_id=campaign.alice.pk).code
        for _ in range(20)
    }
    assert len(codes) == 20
    for code in codes:
        assert len(code) == 8
        assert not set(code) & set("0O1IL2Z5S8B")
    with pytest.raises(ValidationFailed) as failed:
        services.walk_list_create(actor=None, turf_id=turf.pk, shift_id=999_999)
    assert failed.value.field == "shift"
    assert WalkList.objects.count() == 20
