"""Property: for any hierarchy, any placement of people and any set of role grants, a staff
member sees exactly the people under the units where they hold a personal-data role."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from groundgame.core.errors import NotFound
from groundgame.organizing import selectors as organizing_selectors
from groundgame.organizing import services as organizing
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people

PERSONAL_ROLES = {"admin", "director", "organizer", "volunteer_leader"}
ROLES = sorted(PERSONAL_ROLES | {"analyst"})


@dataclass(frozen=True)
class Shape:
    # regions per state, teams per region: [[2, 1], [3]] = 2 states, 3 regions, 6 teams
    regions: list[list[int]]
    placements: list[int | None]  # for each person: index into all units, or None
    grants: list[tuple[int, str]]  # (index into all units, role)


@st.composite
def shapes(draw: st.DrawFn) -> Shape:
    regions = draw(
        st.lists(st.lists(st.integers(1, 2), min_size=1, max_size=2), min_size=1, max_size=2)
    )
    n_units = 1 + len(regions) + sum(len(r) for r in regions) + sum(sum(r) for r in regions)
    unit = st.integers(0, n_units - 1)
    placements = draw(st.lists(st.none() | unit, min_size=1, max_size=8))
    grants = draw(st.lists(st.tuples(unit, st.sampled_from(ROLES)), max_size=3))
    return Shape(regions, placements, grants)


class ScopeProperties(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(shapes())
    def test_visible_people_are_exactly_those_under_personal_data_grants(
        self, shape: Shape
    ) -> None:
        national = organizing.org_unit_create(actor=None, name="National", kind="national")
        units = [national]
        for s, regions in enumerate(shape.regions):
            state = organizing.org_unit_create(
                actor=None, name=f"State {s}", kind="state", parent=national
            )
            units.append(state)
            for r, teams in enumerate(regions):
                region = organizing.org_unit_create(
                    actor=None, name=f"Region {r}", kind="region", parent=state
                )
                units.append(region)
                for t in range(teams):
                    units.append(
                        organizing.org_unit_create(
                            actor=None, name=f"Team {t}", kind="team", parent=region
                        )
                    )
        parents = {u.pk: u.parent_id for u in units}

        def ancestors_or_self(unit_id: int | None) -> set[int]:
            found: set[int] = set()
            while unit_id is not None:
                found.add(unit_id)
                unit_id = parents[unit_id]
            return found

        persons = [
            people.person_create(
                actor=None,
                first_name="P",
                last_name=f"Person{i}",
                org_unit_id=units[p].pk if p is not None else None,
            )
            for i, p in enumerate(shape.placements)
        ]
        user = organizing.staff_create(actor=None, username="u", password="a-long-passphrase-77")
        for index, role in shape.grants:
            organizing.staff_role_grant(actor=None, user=user, org_unit=units[index], role=role)

        granted = {units[i].pk for i, role in shape.grants if role in PERSONAL_ROLES}
        expected = {
            person.pk
            for person in persons
            if national.pk in granted or ancestors_or_self(person.org_unit_id) & granted
        }

        scope = organizing_selectors.staff_scope(user)
        listed = set(people_selectors.person_list(scope=scope).values_list("pk", flat=True))
        assert listed == expected

        for person in persons:
            try:
                people.person_open(actor=user, person_id=person.pk)
                opened = True
            except NotFound:
                opened = False
            assert opened == (person.pk in expected)
