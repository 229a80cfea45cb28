"""A merge carries every app's records of the person, the strictest consent of either record
wins, and an undo gives each record back exactly what it had: whoever left a channel or a
topic under any of their records is not reached through another."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groundgame.consent import selectors as consent_selectors
from groundgame.core.errors import ApplicationError
from groundgame.people import selectors as people_selectors
from groundgame.people import services as people
from groundgame.people.models import MatchReview, Person
from tests.people.merge_world import (
    CHANNELS,
    TOPICS,
    World,
    build_world,
    person_keyed_models,
    tables,
)

pytestmark = pytest.mark.django_db


def test_every_key_to_a_person_is_moved_by_a_merge_or_said_to_stay() -> None:
    """A new app whose rows point at a person must say what a merge does with them, or a
    person could be reached through the record their rows were left on."""
    coverage = people.person_merge_coverage()
    undeclared = [
        f"{model._meta.label}.{key}"
        for model, keys in person_keyed_models()
        for key in keys
        if f"{model._meta.label}.{key}" not in coverage
    ]
    assert undeclared == [], (
        "Register a merge participant (people.services.person_merge_rows_register) or "
        f"declare why they stay (person_merge_field_stays) for: {undeclared}"
    )


@pytest.fixture
def world(campaign: Any, make_staff: Any) -> World:
    organizer = make_staff(role="organizer", unit=campaign.durham)
    return build_world(campaign.durham, organizer)


def _rows_on(person_id: int) -> dict[str, int]:
    """How many rows of each app point at this person."""
    counts = {}
    for model, keys in person_keyed_models():
        for key in keys:
            n = model._default_manager.filter(**{key: person_id}).count()
            if n and model is not Person:
                counts[f"{model._meta.label}.{key}"] = n
    return counts


def test_a_merge_moves_every_apps_rows_and_an_undo_brings_them_back(world: World) -> None:
    a, b = world.people[0], world.people[1]
    before = tables()
    own_b = _rows_on(b)
    for key in (
        "consent.Subscription.person",
        "consent.ConsentEvent.person",
        "events.ShiftSignup.person",
        "volunteers.SignupSubmission.person",
        "volunteers.FollowUp.person",
        "volunteers.Membership.person",
        "messaging.Send.person",
        "field.CanvassResult.person",
    ):
        assert own_b.get(key), f"the world gives the absorbed record a row of {key}"

    merge = people.person_merge(actor=None, survivor_id=a, absorbed_id=b)
    left_behind = _rows_on(b)
    # What stays on the absorbed record is only what collides with the survivor's own: one
    # place per shift, one send per mailing, one follow-up and membership per team, and the
    # subscriptions the survivor already had (whose strictest value it now carries).
    assert set(left_behind) <= {
        "consent.Subscription.person",
        "events.ShiftSignup.person",
        "messaging.Send.person",
        "volunteers.FollowUp.person",
        "volunteers.Membership.person",
        "people.PersonMerge.absorbed",
        "people.MatchReview.person",
        "people.MatchReview.candidate",
    }, left_behind
    assert _rows_on(a)["field.CanvassResult.person"] == 2
    assert _rows_on(a)["volunteers.SignupSubmission.person"] == 2
    # b left fundraising email; a had it: the survivor has left it now.
    fundraising = consent_selectors.topic_get("fundraising")
    assert not consent_selectors.contact_decision(
        person_id=a, channel="email", topic=fundraising
    ).allowed

    people.person_unmerge(actor=None, merge_id=merge.pk)
    assert tables() == before
    assert consent_selectors.contact_decision(
        person_id=a, channel="email", topic=fundraising
    ).allowed


def test_a_review_reads_undone_after_its_merge_is_undone(world: World) -> None:
    a, b = world.people[0], world.people[2]
    review = MatchReview.objects.create(person_id=b, candidate_id=a, score=0.9)
    people.match_review_decide(actor=None, review_id=review.pk, decision="merged", survivor_id=a)
    review.refresh_from_db()
    assert review.status == MatchReview.Status.MERGED
    merge = people_selectors.person_merge_undoable(person_id=a)
    assert merge is not None
    people.person_unmerge(actor=None, merge_id=merge.pk)
    review.refresh_from_db()
    assert review.status == MatchReview.Status.UNDONE
    assert review.get_status_display() == "Merge undone"


def _group(person_id: int) -> set[int]:
    """The person and every record merged into them, directly or through another."""
    members = {person_id}
    frontier = [person_id]
    while frontier:
        absorbed = list(
            Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
        )
        members.update(absorbed)
        frontier = absorbed
    return members


def _reachable(person_id: int, channel: str, topic_key: str) -> bool:
    topic = consent_selectors.topic_get(topic_key)
    pool = people_selectors.people_by_ids([person_id])
    return consent_selectors.reachable(pool, channel=channel, topic=topic).exists()


steps = st.lists(
    st.one_of(
        st.tuples(st.just("merge"), st.integers(0, 3), st.integers(0, 3)),
        st.tuples(st.just("undo"), st.just(0), st.just(0)),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=steps)
def test_no_merge_or_undo_lets_a_message_reach_someone_who_left(
    world: World, steps: list[tuple[str, int, int]]
) -> None:
    before = tables()
    done: list[int] = []
    for action, i, j in steps:
        if action == "merge":
            survivor, absorbed = world.people[i], world.people[j]
            try:
                done.append(
                    people.person_merge(actor=None, survivor_id=survivor, absorbed_id=absorbed).pk
                )
            except ApplicationError:
                continue  # the same record twice, or one already merged: refused, no change
        elif done:
            people.person_unmerge(actor=None, merge_id=done.pop())
        for live in world.people:
            if Person.objects.filter(pk=live, merged_into__isnull=False).exists():
                continue
            left = set().union(*(world.left[pk] for pk in _group(live)))
            for channel in CHANNELS:
                for topic in TOPICS:
                    if (channel, None) in left or (channel, topic) in left:
                        assert not _reachable(live, channel, topic), (
                            f"#{live} reached by {channel} about {topic}, which a record of "
                            f"theirs ({sorted(_group(live))}) left; steps {steps}"
                        )
    while done:
        people.person_unmerge(actor=None, merge_id=done.pop())
    assert tables() == before
