"""Online find-or-create: nicknames, typos and transposed dates link; namesakes elsewhere do
not; close calls open a review; retries never duplicate; the crosswalk refuses a stolen id."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from groundgame.core.errors import Conflict, ValidationFailed
from groundgame.people import selectors
from groundgame.people import services as people
from groundgame.people.models import Person
from tests.service_requirements import require_service

pytestmark = pytest.mark.django_db

HOME = {"street": "412 Maple Avenue", "city": "Durham", "state": "NC", "zip5": "27701"}
BORN = dt.date(1971, 3, 14)


def find(**fields):
    return people.person_find_or_create(actor=None, source="test", **fields)


@pytest.fixture
def william(db):
    result = find(first_name="William", last_name="Thompson", birth_date=BORN, **HOME)
    assert result.created
    return result.person


@pytest.mark.parametrize(
    "fields",
    [
        {"first_name": "Bill", "last_name": "Thompson", "birth_date": BORN, **HOME},
        {"first_name": "Wiliam", "last_name": "Thomspon", "birth_date": BORN, **HOME},
        {"first_name": "William", "last_name": "Thompson", "birth_date": BORN},
        {
            "first_name": "William",
            "last_name": "Thompson",
            "birth_date": dt.date(1917, 3, 14),
            **HOME,
        },
        {"first_name": "Will", "last_name": "Thompson", "birth_date": dt.date(1971, 3, 15), **HOME},
        {
            "first_name": "William",
            "last_name": "Thompson",
            "birth_date": BORN,
            "street": "9 Oak St",
            "city": "Raleigh",
            "state": "NC",
            "zip5": "27601",
        },
        {
            "first_name": "William",
            "last_name": "Thompson",
            "street": "412 Maple Ave.",
            "zip5": "27701",
            "state": "NC",
            "birth_date": dt.date(1971, 4, 13),
        },
    ],
    ids=[
        "nickname",
        "typos",
        "same-no-address",
        "transposed-digits",
        "nickname-day-typo",
        "moved",
        "street-abbreviation",
    ],
)
def test_the_same_person_written_differently_links(william, fields):
    result = find(**fields)
    assert not result.created, result
    assert result.person.pk == william.pk
    assert result.review is None


def test_month_and_day_swapped_links(db):
    first = find(first_name="Maria", last_name="Garcia", birth_date=dt.date(1980, 4, 7), **HOME)
    again = find(first_name="Maria", last_name="Garcia", birth_date=dt.date(1980, 7, 4), **HOME)
    assert again.person.pk == first.person.pk


def test_namesakes_at_different_addresses_are_different_people(william):
    elsewhere = {"street": "77 River Rd", "city": "Asheville", "state": "NC", "zip5": "28801"}
    other = find(
        first_name="William", last_name="Thompson", birth_date=dt.date(1990, 8, 2), **elsewhere
    )
    assert other.created
    assert other.review is None
    no_birth = find(
        first_name="William",
        last_name="Thompson",
        street="5 Elm St",
        city="Charlotte",
        state="NC",
        zip5="28202",
    )
    assert no_birth.created
    assert no_birth.person.pk != other.person.pk


def test_a_close_call_creates_a_person_and_a_review_with_evidence(william):
    # Same name and ZIP, no birth date and another street: maybe a move next door, maybe a
    # namesake; staff decide.
    result = find(
        first_name="William", last_name="Thompson", street="18 Oak St", state="NC", zip5="27701"
    )
    assert result.created
    assert result.review is not None
    assert result.review.candidate_id == william.pk
    assert result.review.person_id == result.person.pk
    assert 0.3 <= result.review.score < 0.95
    evidence = result.review.evidence
    assert evidence["last_name"]["level"] == "same"
    assert evidence["address"]["level"] == "same zip"
    assert "birth_date" not in evidence


def test_retries_find_the_same_person(db):
    fields = {"first_name": "Keisha", "last_name": "Okafor", "email": "KEISHA@example.com"}
    first = find(**fields)
    second = find(**fields)
    assert first.created
    assert not second.created
    assert second.person.pk == first.person.pk
    names_only = {"first_name": "Tomas", "last_name": "Reyes"}
    assert find(**names_only).person.pk == find(**names_only).person.pk
    # A close call retried links to the person the first try created, with no second review.
    find(first_name="Lena", last_name="Fischer", birth_date=BORN, **HOME)
    close = {
        "first_name": "Lena",
        "last_name": "Fischer",
        "street": "1 Pine St",
        "state": "NC",
        "zip5": "27701",
    }
    once = find(**close)
    twice = find(**close)
    assert once.review is not None
    assert twice.person.pk == once.person.pk
    assert twice.review is None


def test_email_and_phone_hits_link_when_the_names_agree(william):
    people.person_update(
        actor=None, person_id=william.pk, email="wt@example.com", phone="919-555-0100"
    )
    assert (
        find(first_name="Bill", last_name="Thompson", email="WT@example.com").person.pk
        == william.pk
    )
    assert (
        find(first_name="Will", last_name="Thompson", phone="(919) 555-0100").person.pk
        == william.pk
    )
    # A shared family email with another name is not the same person.
    spouse = find(first_name="Sandra", last_name="Thompson", email="wt@example.com")
    assert spouse.created


def test_external_ids_link_exactly_and_are_recorded(db):
    first = find(first_name="Omar", last_name="Diallo", external=("actblue", "AB-1"))
    again = find(first_name="O.", last_name="D.", external=("actblue", "AB-1"))
    assert again.person.pk == first.person.pk
    assert again.score == 1.0
    ids = selectors.person_external_id_list(person_id=first.person.pk)
    assert [(x.system, x.external_id) for x in ids] == [("actblue", "AB-1")]
    # The same person from another system: crosswalk grows.
    third = find(first_name="Omar", last_name="Diallo", external=("mobilize", "M-9"))
    assert third.person.pk == first.person.pk
    assert len(selectors.person_external_id_list(person_id=first.person.pk)) == 2


def test_external_id_link_conflict_names_the_field(db):
    a = find(first_name="Grace", last_name="Hughes", external=("ngpvan", "V1")).person
    b = find(first_name="Ethan", last_name="Evans").person
    with pytest.raises(Conflict) as caught:
        people.external_id_link(actor=None, person_id=b.pk, system="ngpvan", external_id="V1")
    assert caught.value.code == "external_id_taken"
    assert caught.value.field == "external_id"
    # Linking it again to its own person changes nothing.
    people.external_id_link(actor=None, person_id=a.pk, system="ngpvan", external_id="V1")
    with pytest.raises(ValidationFailed):
        people.external_id_link(actor=None, person_id=a.pk, system="myspace", external_id="x")


def test_bad_input_names_the_field(db):
    with pytest.raises(ValidationFailed) as caught:
        find(first_name="A", last_name="B", zip5="2770")
    assert caught.value.field == "zip5"
    with pytest.raises(ValidationFailed) as caught:
        find(first_name="", last_name="B")
    assert caught.value.field == "first_name"


def test_a_new_person_gets_a_household_and_team(campaign):
    result = find(first_name="Priya", last_name="Patel", **HOME)
    person = result.person
    assert person.household is not None
    assert person.household.county_fips == "37063"
    assert person.org_unit_id == campaign.durham.pk


def test_every_path_is_audited(db):
    from groundgame.audit import selectors as audit

    find(first_name="Noah", last_name="Quinn", email="nq@example.com")
    find(first_name="Noah", last_name="Quinn", email="nq@example.com")
    actions = [e.action for e in audit.audit_event_list()]
    assert "person.create" in actions
    assert "person.find" in actions


@pytest.mark.django_db(transaction=True)
def test_identical_calls_at_the_same_moment_create_one_person():
    require_service("postgresql")
    callers = 8
    start = threading.Barrier(callers)
    found: list[int] = []
    failed: list[BaseException] = []

    def call() -> None:
        try:
            start.wait()
            found.append(
                find(first_name="Imani", last_name="Okeke", birth_date=BORN, **HOME).person.pk
            )
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            failed.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failed, failed
    assert len(set(found)) == 1
    assert Person.objects.filter(last_name="Okeke").count() == 1
