"""Find-or-create from outside a person's units: the answer is the one a new person gets, so
it tells an organizer nothing about who is in other units, and nothing of that person's
changes (no external id attached, no read logged of them)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from groundgame.audit.models import AuditEvent
from groundgame.people import services as people
from groundgame.people.models import ExternalId, MatchReview, Person

pytestmark = pytest.mark.django_db

GREENSBORO = {"street": "20 Elm St", "city": "Greensboro", "state": "NC", "zip5": "27401"}
BORN = dt.date(1975, 6, 2)


@pytest.fixture
def gwen(campaign):
    """Someone in Guilford (outside the Triangle organizer's units) who carries a VAN id."""
    gwen = people.person_find_or_create(
        actor=None,
        source="voter file",
        first_name="Gwendolyn",
        last_name="Oyelaran",
        email="gwen.oyelaran@example.net",
        birth_date=BORN,
        **GREENSBORO,
    ).person
    assert gwen.org_unit_id == campaign.guilford.pk
    people.external_id_link(actor=None, person_id=gwen.pk, system="ngpvan", external_id="VAN-G1")
    return gwen


def _ask(client, **fields):
    response = client.post(
        "/api/people/find-or-create",
        {"birth_date": BORN.isoformat(), **GREENSBORO, **fields},
        content_type="application/json",
    )
    body = response.json()
    return response.status_code, {k: v for k, v in body.items() if k != "person_id"}, body


def _snapshot(person):
    return (
        model_to_dict(Person.objects.get(pk=person.pk)),
        sorted(ExternalId.objects.filter(person=person).values_list("system", "external_id")),
    )


@pytest.mark.parametrize(
    "external",
    [
        {"external_system": "ngpvan", "external_id": "VAN-G1"},  # the id she carries
        {"external_system": "mobilize", "external_id": "M-900"},  # a new id for her
        {},
    ],
)
def test_outside_the_units_a_known_person_is_answered_as_a_new_one(
    gwen, organizer_client, external
):
    before = _snapshot(gwen)
    status, known, raw = _ask(
        organizer_client,
        first_name="Gwendolyn",
        last_name="Oyelaran",
        email="gwen.oyelaran@example.net",
        **external,
    )
    # The same call for nobody in the file, with an id nobody holds.
    unknown_external = {k: v + "0" if k == "external_id" else v for k, v in external.items()}
    other_status, unknown, _ = _ask(
        organizer_client,
        first_name="Zephyrine",
        last_name="Quillfeather",
        email="zq@example.net",
        **unknown_external,
    )
    assert (
        (status, known)
        == (other_status, unknown)
        == (
            201,
            {"created": True, "score": 0.0, "review_id": None},
        )
    )
    assert raw["person_id"] != gwen.pk
    assert _snapshot(gwen) == before
    assert not AuditEvent.objects.filter(action="person.find", entity_id=gwen.pk).exists()
    # Staff who see both units get the pair to decide; the organizer's queue stays empty.
    assert MatchReview.objects.filter(person_id=raw["person_id"], candidate=gwen).exists()
    assert organizer_client.get("/api/people/reviews").json() == []


def test_outside_the_units_an_id_held_by_someone_there_stays_with_them(gwen, organizer_client):
    _ask(
        organizer_client,
        first_name="Zephyrine",
        last_name="Quillfeather",
        external_system="ngpvan",
        external_id="VAN-G1",
    )
    assert ExternalId.objects.get(external_id="VAN-G1").person_id == gwen.pk


def test_inside_the_units_the_same_call_finds_the_person(gwen, make_staff, client_for):
    guilford = client_for(make_staff("gus", role="organizer", unit=gwen.org_unit))
    status, body, raw = _ask(
        guilford,
        first_name="Gwendolyn",
        last_name="Oyelaran",
        email="gwen.oyelaran@example.net",
        external_system="mobilize",
        external_id="M-900",
    )
    assert (status, body["created"], raw["person_id"]) == (200, False, gwen.pk)
    assert ExternalId.objects.get(external_id="M-900").person_id == gwen.pk
