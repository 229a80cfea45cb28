"""Saved universes belong to a unit: staff see those of their own line of the tree (the
whole campaign's, their units', the units above and below), and only whoever made one or an
admin of its unit or above may change or delete it. Every write is tried from outside."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.core.errors import NotFound, PermissionDenied, ValidationFailed
from groundgame.messaging import services as messaging_services
from groundgame.organizing import selectors as organizing_selectors
from groundgame.organizing import services as organizing
from groundgame.people import selectors, services
from groundgame.people.models import Universe
from tests.helpers import assert_api_error

pytestmark = pytest.mark.django_db

EVERYONE = {"version": 1}
ARIZONA = {"version": 1, "state": ["AZ"]}


@pytest.fixture
def arizona(campaign: Any) -> Any:
    state = organizing.org_unit_create(
        actor=None, name="Arizona", kind="state", parent=campaign.national, state="AZ"
    )
    region = organizing.org_unit_create(actor=None, name="Phoenix", kind="region", parent=state)
    return organizing.org_unit_create(
        actor=None, name="Maricopa", kind="team", parent=region, counties=["04013"]
    )


@pytest.fixture
def universes(campaign: Any, arizona: Any, make_staff: Any) -> dict[str, Universe]:
    """One universe on each line: the whole campaign's, North Carolina's, Durham's and the
    Maricopa team's, each made by someone of that unit."""
    made = {}
    for key, unit, name in (
        ("national", None, "Everyone on file"),
        ("nc", campaign.nc, "NC persuasion"),
        ("durham", campaign.durham, "Durham doors"),
        ("maricopa", arizona, "Maricopa doors"),
    ):
        author = make_staff(f"author-{key}", role="admin", unit=unit or campaign.national)
        made[key] = services.universe_save(
            actor=author,
            name=name,
            filters=EVERYONE,
            org_unit_id=unit.pk if unit else None,
        )
    return made


def test_an_analyst_cannot_refilter_the_whole_campaigns_universe(
    campaign: Any, arizona: Any, universes: dict[str, Universe], make_staff: Any, client_for: Any
) -> None:
    """The finding: an aggregates-only analyst in Arizona re-filtered "Everyone on file"."""
    analyst = make_staff("ana", role="analyst", unit=arizona.parent.parent)
    everyone = universes["national"]

    response = client_for(analyst).post(
        f"/people/universes/{everyone.pk}/",
        {"action": "save", "name": "Everyone on file", "state": "AZ"},
    )

    assert response.status_code == 403
    assert "Only whoever made this universe" in response.content.decode()
    everyone.refresh_from_db()
    assert everyone.filters == EVERYONE
    with pytest.raises(PermissionDenied):
        services.universe_delete(actor=analyst, universe_id=everyone.pk)
    assert Universe.objects.filter(pk=everyone.pk).exists()


def test_staff_see_their_own_line_of_the_tree_only(
    campaign: Any, universes: dict[str, Universe], organizer_user: Any, organizer_client: Any
) -> None:
    """Olivia organizes the Triangle: she sees the campaign's, North Carolina's (above) and
    Durham's (below) universes, and nothing of Arizona's anywhere she could pick one."""
    maricopa = universes["maricopa"]
    listing = organizer_client.get("/people/universes/").content.decode()
    for key in ("national", "nc", "durham"):
        assert universes[key].name in listing
    assert maricopa.name not in listing

    saved = organizer_client.get("/api/people/universes/saved").json()
    assert {u["name"] for u in saved} == {"Everyone on file", "NC persuasion", "Durham doors"}

    for url in (
        f"/people/universes/{maricopa.pk}/",
        f"/people/universes/{maricopa.pk}/export/",
    ):
        assert organizer_client.get(url).status_code == 404, url
    for url in (
        f"/people/universes/{maricopa.pk}/recount/",
        f"/people/universes/{maricopa.pk}/delete/",
    ):
        assert organizer_client.post(url).status_code == 404, url
    maricopa.refresh_from_db()
    assert maricopa.name == "Maricopa doors"

    compose = organizer_client.get("/messaging/mailings/new/").content.decode()
    assert "NC persuasion" in compose
    assert maricopa.name not in compose
    cuts = organizer_client.get("/field/").content.decode()
    assert "Durham doors" in cuts
    assert maricopa.name not in cuts


def test_a_hidden_universe_cannot_be_mailed_or_cut(
    campaign: Any, universes: dict[str, Universe], organizer_user: Any
) -> None:
    from groundgame.field import services as field_services

    maricopa = universes["maricopa"].pk
    with pytest.raises(ValidationFailed) as mailed:
        messaging_services.mailing_create(
            actor=organizer_user,
            name="Into Arizona",
            channel="email",
            topic_key="events",
            universe_id=maricopa,
            subject="Hello",
            body="Hello {{ first_name }}",
        )
    assert mailed.value.field == "universe"
    with pytest.raises(ValidationFailed) as cut:
        field_services.turf_cut(
            actor=organizer_user,
            universe_id=maricopa,
            org_unit_id=campaign.durham.pk,
            target_doors=50,
        )
    assert cut.value.field == "universe"


def test_who_may_change_a_universe(
    campaign: Any, universes: dict[str, Universe], make_staff: Any
) -> None:
    durham_doors = universes["durham"]
    nc_admin = make_staff("nadia", role="admin", unit=campaign.nc)
    durham_admin = make_staff("dee", role="admin", unit=campaign.durham)
    director = make_staff("dir", role="director", unit=campaign.triangle)

    # An admin above may; the unit's own admin may not change the state's, nor may a
    # director (a manager of people, not of others' work).
    services.universe_save(
        actor=nc_admin, name="Durham doors", filters=ARIZONA, universe_id=durham_doors.pk
    )
    with pytest.raises(PermissionDenied):
        services.universe_save(
            actor=durham_admin,
            name="NC persuasion",
            filters=ARIZONA,
            universe_id=universes["nc"].pk,
        )
    with pytest.raises(PermissionDenied):
        services.universe_delete(actor=director, universe_id=durham_doors.pk)
    universes["nc"].refresh_from_db()
    assert universes["nc"].filters == EVERYONE

    # Whoever made one may, wherever it is: Olivia's own universe is hers to change.
    olivia = make_staff("olivia", role="organizer", unit=campaign.triangle)
    mine = services.universe_save(actor=olivia, name="Triangle doors", filters=EVERYONE)
    assert mine.org_unit == campaign.triangle  # her first unit, by default
    services.universe_save(
        actor=olivia, name="Triangle doors", filters=ARIZONA, universe_id=mine.pk
    )
    services.universe_delete(actor=olivia, universe_id=mine.pk)
    assert not Universe.objects.filter(pk=mine.pk).exists()


def test_a_universe_is_made_for_one_of_ones_own_units(
    campaign: Any, arizona: Any, organizer_client: Any
) -> None:
    response = organizer_client.post(
        "/people/universes/new/",
        {"action": "save", "name": "Sneaky", "for_unit": str(arizona.pk), "state": "AZ"},
    )
    assert response.status_code == 422
    assert "Choose one of your own units." in response.content.decode()
    assert not Universe.objects.filter(name="Sneaky").exists()

    response = organizer_client.post(
        "/people/universes/new/",
        {"action": "save", "name": "Wake doors", "for_unit": str(campaign.wake.pk)},
    )
    assert response.status_code == 302
    assert Universe.objects.get(name="Wake doors").org_unit == campaign.wake


def test_the_api_lists_only_what_the_staff_member_sees(
    arizona: Any, universes: dict[str, Universe], make_staff: Any, client_for: Any
) -> None:
    client = client_for(make_staff("mo", role="organizer", unit=arizona))
    names = {u["name"] for u in client.get("/api/people/universes/saved").json()}
    assert names == {"Everyone on file", "Maricopa doors"}
    response = client.get("/api/people/universes/count", {"spec": "{"})
    assert_api_error(response, 422, "universe_spec_invalid", "spec")


ROLES = ("admin", "director", "organizer", "volunteer_leader", "analyst")
UNIT_KEYS = ("national", "nc", "triangle", "piedmont", "durham", "wake", "guilford")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    grants=st.lists(st.tuples(st.sampled_from(ROLES), st.sampled_from(UNIT_KEYS)), max_size=3),
    owner=st.sampled_from((None, *UNIT_KEYS[1:])),
    is_author=st.booleans(),
)
def test_visibility_and_change_follow_the_tree(
    campaign: Any,
    make_staff: Any,
    grants: list[tuple[str, str]],
    owner: str | None,
    is_author: bool,
) -> None:
    """Against a naive reading of the rule: a universe is seen by staff on its line of the
    tree, and changed by its author or an admin at or above its unit."""
    units = {key: getattr(campaign, key) for key in UNIT_KEYS}
    staff = make_staff()
    for role, key in grants:
        organizing.staff_role_grant(actor=None, user=staff, org_unit=units[key], role=role)
    author = staff if is_author else make_staff(role="admin", unit=campaign.national)
    unit = units[owner] if owner else None
    universe = Universe.objects.create(
        name=f"u{Universe.objects.count()}", filters=EVERYONE, org_unit=unit, created_by=author
    )
    scope = organizing_selectors.staff_scope(staff)

    def on_line(a: str, b: str) -> bool:
        return a.startswith(b) or b.startswith(a)

    held = [units[key].path for _, key in grants]
    national_person = any(key == "national" and role != "analyst" for role, key in grants)
    sees = unit is None or national_person or any(on_line(unit.path, p) for p in held)
    admin_above = [units[key].path for role, key in grants if role == "admin"]
    may_change = is_author or (
        unit.path.startswith(tuple(admin_above))
        if unit is not None
        else any(key == "national" for role, key in grants if role == "admin")
    )

    assert (selectors.universe_get(universe.pk, scope) is not None) == sees
    assert selectors.universe_may_change(scope, universe) == may_change
    if not sees:
        with pytest.raises(NotFound):
            services.universe_delete(actor=staff, universe_id=universe.pk)
