"""A small campaign in which four people have records in every app, built through the apps'
own services, for the tests of merges: each person has consent choices that collide with the
others', a place on a shift, a sign-up with its follow-up and team, an email of a mailing, and
a result at their door."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from groundgame.consent import services as consent
from groundgame.events import services as events
from groundgame.field import services as field_services
from groundgame.messaging import services as messaging
from groundgame.people import services as people
from groundgame.people.models import Person, PersonMerge
from groundgame.volunteers import services as volunteers
from tests.field.builders import build_walk_list

# What each of the four said, by channel and topic: the choices collide on purpose (two
# records subscribed to the same topic, one of them leaving it), so that a merge has to decide.
SUBSCRIBED = {
    0: [("email", "volunteering"), ("email", "fundraising"), ("sms", "volunteering")],
    1: [("email", "volunteering"), ("sms", "volunteering")],
    2: [("email", "volunteering"), ("email", "fundraising")],
    3: [("email", "fundraising")],
}
LEFT_TOPIC = {1: [("email", "fundraising")], 2: [("sms", "volunteering")]}
LEFT_CHANNEL = {3: ["sms"]}
DO_NOT_CONTACT = {2}
CHANNELS = ("email", "sms", "phone", "mail", "door")
TOPICS = ("volunteering", "fundraising")


@dataclass
class World:
    people: list[int]
    # Each person's own choices, as they made them: (channel, topic or None) they left.
    left: dict[int, set[tuple[str, str | None]]] = field(default_factory=dict)
    shift_id: int = 0


def build_world(team: Any, staff: Any) -> World:
    """Four people of ``team`` (a team covering Durham County, NC, where ``staff`` may make
    events) on two doors of a walk list, with records everywhere."""
    canvass = build_walk_list(team=team, code="MERGE001", doors=2, people_per_door=2)
    residents = [p for door in range(2) for p in canvass.people[canvass.door(door).pk]]
    ids = [p.pk for p in residents]
    for n, person in enumerate(residents):
        people.person_update(
            actor=None,
            person_id=person.pk,
            email=f"{person.first_name.lower()}.{n}@example.org",
            phone=f"91955501{n:02d}",
        )
    world = World(people=ids)
    for n, pk in enumerate(ids):
        for channel, topic in SUBSCRIBED.get(n, []):
            consent.subscription_join(
                person_id=pk, channel=channel, topic_keys=[topic], source="test"
            )
        for channel, topic in LEFT_TOPIC.get(n, []):
            consent.subscription_leave(
                person_id=pk, channel=channel, topic_keys=[topic], source="test"
            )
        for channel in LEFT_CHANNEL.get(n, []):
            consent.channel_leave(person_id=pk, channel=channel, source="test")
        if n in DO_NOT_CONTACT:
            consent.do_not_contact_set(person_id=pk, reason="Asked at the door", source="test")
        world.left[pk] = {
            *LEFT_TOPIC.get(n, []),
            *((channel, None) for channel in LEFT_CHANNEL.get(n, [])),
            *(((channel, None) for channel in CHANNELS) if n in DO_NOT_CONTACT else ()),
        }

    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)
    event = events.event_create(
        actor=staff,
        org_unit=team,
        title="Saturday canvass",
        kind="canvass",
        venue="Durham office",
        zip5="27701",
        shifts=[events.ShiftSpec(starts_at=start, ends_at=start + dt.timedelta(hours=3))],
    )
    world.shift_id = event.shifts.get().pk
    form = volunteers.signup_form_publish(
        actor=None,
        form_id=volunteers.signup_form_create(
            actor=None,
            title="Join the Durham team",
            org_unit=team,
            questions=[],
            consent_topics=["volunteering"],
            source="web",
        ).pk,
    )
    for person in Person.objects.filter(pk__in=ids).order_by("pk"):
        # Both find the person by their email: the records are theirs.
        events.rsvp_create(
            actor=None,
            shift_id=world.shift_id,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
        )
        volunteers.signup_submit(
            form=form,
            idempotency_key=uuid.uuid4().hex,
            fields={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": person.email,
                "zip5": "27701",
            },
            answers={},
            consents=[],
        )
    volunteers.signup_pending_process()

    universe = people.universe_save(actor=None, name="Merge world", filters={})
    consent.contact_cap_set(
        actor=None, channel="email", per_person=100, per_household=None, window_hours=1
    )
    mailing = messaging.mailing_create(
        actor=None,
        name="Volunteer this weekend",
        channel="email",
        topic_key="volunteering",
        universe_id=universe.pk,
        subject="This weekend",
        body="Hi {{ first_name }}, join us.",
    )
    messaging.mailing_schedule(actor=None, mailing_id=mailing.pk)
    messaging.mailing_fan_out(mailing_id=mailing.pk)

    recorded = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    field_services.canvass_sync(
        list_code=canvass.code,
        results=[
            {
                "client_id": str(uuid.uuid4()),
                "household_id": canvass.door(n // 2).pk,
                "person_id": pk,
                "outcome": "talked",
                "support": 2,
                "recorded_at": recorded.isoformat(),
                "canvasser_name": "Ana",
                "script_version": canvass.script_versions[0].pk,
            }
            for n, pk in enumerate(ids)
        ],
    )
    return world


def person_keyed_models() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with a foreign key to a person, with the names of those keys."""
    found = []
    for model in apps.get_models():
        keys = [
            f.name
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is Person
        ]
        if keys:
            found.append((model, keys))
    return found


def tables() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model that points at a person, and the people themselves, as values
    (times of last change left out: an undo is a change; the merges' own records left out)."""
    snapshot = {}
    for model in [Person, *(model for model, _ in person_keyed_models())]:
        if model is PersonMerge:
            continue
        rows = model._default_manager.order_by("pk").values()
        snapshot[model._meta.label] = [
            {k: v for k, v in row.items() if k != "updated_at"} for row in rows
        ]
    return snapshot
