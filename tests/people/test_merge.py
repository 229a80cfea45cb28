"""Merging two records of one person and undoing it: everything moves, then moves back
exactly; scope limits who may merge whom; merged people leave the lists."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.core.errors import Conflict, NotFound, ValidationFailed
from groundgame.organizing import selectors as organizing_selectors
from groundgame.people import selectors
from groundgame.people import services as people
from groundgame.people.models import ExternalId, Person, PersonTag, Tag
from groundgame.volunteers import selectors as volunteers_selectors
from groundgame.volunteers import services as volunteers_services

pytestmark = pytest.mark.django_db

SYSTEMS = ["ngpvan", "actblue", "mobilize", "action_network", "other"]


def _state(*people_ids: int) -> dict[str, object]:
    """Every row that points at the given people, and their own fields."""
    rows = {}
    for pk in people_ids:
        person = Person.objects.get(pk=pk)
        rows[pk] = {
            "fields": {f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields
                       if f.attname != "updated_at"},
            "external": sorted(ExternalId.objects.filter(person_id=pk).values_list("pk", flat=1)),
            "tags": sorted(PersonTag.objects.filter(person_id=pk).values_list("pk", flat=True)),
            "memberships": sorted(
                m.pk for m in volunteers_selectors.membership_list_for_person(pk)
            ),
        }  # fmt: skip
    return rows


def _related(person, *, externals, tags, teams, campaign):
    for n, system in enumerate(externals):
        people.external_id_link(
            actor=None, person_id=person.pk, system=system, external_id=f"{person.pk}-{n}"
        )
    for name in tags:
        tag, _ = Tag.objects.get_or_create(name=name)
        PersonTag.objects.get_or_create(person=person, tag=tag)
    units = [campaign.durham, campaign.wake, campaign.guilford]
    volunteers_services.membership_bulk_create(
        actor=None,
        memberships=[(person.pk, units[t].pk, "volunteer") for t in teams],
        source="test",
    )


related = st.fixed_dictionaries(
    {
        "externals": st.lists(st.sampled_from(SYSTEMS), max_size=3),
        "tags": st.lists(st.sampled_from(["donor", "vol", "host"]), max_size=3, unique=True),
        "teams": st.lists(st.integers(0, 2), max_size=3, unique=True),
        "email": st.sampled_from(["", "x@example.com"]),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=related, b=related)
def test_merge_then_unmerge_restores_every_row(campaign, a, b):
    survivor = people.person_create(
        actor=None,
        first_name="Sam",
        last_name="Lee",
        email=a["email"],
        org_unit_id=campaign.durham.pk,
    )
    absorbed = people.person_create(actor=None, first_name="Sammy", last_name="Lee",
                                    email="" if b["email"] == "" else "sam@example.org",
                                    phone="9195550100", org_unit_id=campaign.durham.pk)  # fmt: skip
    _related(
        survivor, externals=a["externals"], tags=a["tags"], teams=a["teams"], campaign=campaign
    )
    _related(
        absorbed, externals=b["externals"], tags=b["tags"], teams=b["teams"], campaign=campaign
    )
    before = _state(survivor.pk, absorbed.pk)

    merge = people.person_merge(actor=None, survivor_id=survivor.pk, absorbed_id=absorbed.pk)
    merged = _state(survivor.pk, absorbed.pk)
    assert merged[absorbed.pk]["external"] == []
    assert set(before[absorbed.pk]["external"]) <= set(merged[survivor.pk]["external"])
    assert merged[absorbed.pk]["fields"]["merged_into_id"] == survivor.pk
    assert merged[survivor.pk]["fields"]["phone"] == "+19195550100"

    people.person_unmerge(actor=None, merge_id=merge.pk)
    assert _state(survivor.pk, absorbed.pk) == before


def test_a_merge_recorded_before_memberships_had_their_own_app_can_be_undone(campaign):
    """Merges record moved memberships under ``organizing_membership``, as they did when
    organizing kept memberships; a merge stored then is undone by the registered mover."""
    survivor = people.person_create(actor=None, first_name="Ana", last_name="Ruiz")
    absorbed = people.person_create(actor=None, first_name="Ana", last_name="Ruiz")
    _related(absorbed, externals=[], tags=[], teams=[0, 1], campaign=campaign)
    teams = _state(absorbed.pk)[absorbed.pk]["memberships"]

    merge = people.person_merge(actor=None, survivor_id=survivor.pk, absorbed_id=absorbed.pk)
    assert merge.moved["organizing_membership"] == teams
    assert _state(survivor.pk)[survivor.pk]["memberships"] == teams
    # What a merge made before the change stored: the same key, nothing else of memberships.
    assert {k for k in merge.moved if "membership" in k} == {"organizing_membership"}

    people.person_unmerge(actor=None, merge_id=merge.pk)
    assert _state(absorbed.pk)[absorbed.pk]["memberships"] == teams
    assert _state(survivor.pk)[survivor.pk]["memberships"] == []


def test_merged_people_leave_lists_and_intake(campaign):
    twin = people.person_create(actor=None, first_name="Alice", last_name="Aardvark",
                                org_unit_id=campaign.durham.pk)  # fmt: skip
    people.person_merge(actor=None, survivor_id=campaign.alice.pk, absorbed_id=twin.pk)
    everyone = organizing_selectors.staff_scope(None)
    listed = [p.pk for p in selectors.person_list(scope=everyone, query="aardvark")]
    assert listed == [campaign.alice.pk]
    found = people.person_find_or_create(
        actor=None, source="test", first_name="Alice", last_name="Aardvark",
        email="alice@example.com")  # fmt: skip
    assert found.person.pk == campaign.alice.pk


def test_merge_refusals(campaign):
    with pytest.raises(ValidationFailed):
        people.person_merge(
            actor=None, survivor_id=campaign.alice.pk, absorbed_id=campaign.alice.pk
        )
    merge = people.person_merge(
        actor=None, survivor_id=campaign.alice.pk, absorbed_id=campaign.bob.pk
    )
    with pytest.raises(Conflict):
        people.person_merge(actor=None, survivor_id=campaign.nobody.pk, absorbed_id=campaign.bob.pk)
    people.person_unmerge(actor=None, merge_id=merge.pk)
    with pytest.raises(Conflict):
        people.person_unmerge(actor=None, merge_id=merge.pk)


def test_an_organizer_cannot_merge_people_outside_their_units(campaign, make_staff):
    olivia = make_staff("olivia", role="organizer", unit=campaign.triangle)
    with pytest.raises(NotFound):
        people.person_merge(
            actor=olivia, survivor_id=campaign.alice.pk, absorbed_id=campaign.bob.pk
        )
    assert Person.objects.get(pk=campaign.bob.pk).merged_into_id is None
    twin = people.person_create(actor=None, first_name="Al", last_name="Aardvark",
                                org_unit_id=campaign.wake.pk)  # fmt: skip
    merge = people.person_merge(actor=olivia, survivor_id=campaign.alice.pk, absorbed_id=twin.pk)
    assert merge.merged_by == olivia
    gina = make_staff("gina", role="organizer", unit=campaign.guilford)
    with pytest.raises(NotFound):
        people.person_unmerge(actor=gina, merge_id=merge.pk)


def test_review_decisions(campaign, make_staff):
    home = {"street": "1 Main St", "state": "NC", "zip5": "27701"}
    find = people.person_find_or_create
    first = find(actor=None, source="t", first_name="Rosa", last_name="Reyes", birth_date=None,
                 city="Durham", **home)  # fmt: skip
    second = find(actor=None, source="t", first_name="Rosa", last_name="Reyes", street="2 Oak St",
                  state="NC", zip5="27701")  # fmt: skip
    assert second.review is not None
    olivia = make_staff("olivia", role="organizer", unit=campaign.triangle)
    queue = list(selectors.match_review_list(scope=organizing_selectors.staff_scope(olivia)))
    assert [r.pk for r in queue] == [second.review.pk]
    gina = make_staff("gina", role="organizer", unit=campaign.guilford)
    assert not selectors.match_review_list(scope=organizing_selectors.staff_scope(gina)).exists()
    with pytest.raises(NotFound):
        people.match_review_decide(actor=gina, review_id=second.review.pk, decision="distinct")
    review = people.match_review_decide(
        actor=olivia, review_id=second.review.pk, decision="merged", survivor_id=first.person.pk
    )
    assert review.status == "merged"
    assert Person.objects.get(pk=second.person.pk).merged_into_id == first.person.pk
